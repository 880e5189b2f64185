-- A database as the original Python goippy left it (SQLite), with rows.
-- Used by tests/store_test.ts to check the in-place upgrade.
CREATE TABLE goippy_gateways (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ext TEXT UNIQUE,
  goip_id TEXT UNIQUE,
  goip_pass TEXT,
  channel INTEGER,
  msisdn TEXT,
  allow_regex TEXT DEFAULT '.*',
  enabled INTEGER DEFAULT 1,
  created_at TEXT DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE goippy_calls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER,
  goip_id TEXT,
  ext TEXT,
  direction INTEGER,
  remote_num TEXT,
  cause TEXT,
  msisdn TEXT,
  raw TEXT,
  created_at TEXT DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE goippy_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dir TEXT,
  msisdn TEXT,
  xmpp_jid TEXT,
  body TEXT,
  status TEXT,
  created_at TEXT DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE goippy_state (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  goip_id TEXT UNIQUE,
  ext TEXT,
  msisdn TEXT,
  gsm_signal INTEGER,
  gsm_status TEXT,
  voip_status TEXT,
  voip_state TEXT,
  remain_time INTEGER,
  provider TEXT,
  disable_status INTEGER,
  updated_at TEXT DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO goippy_gateways (ext, goip_id, goip_pass, channel, msisdn, allow_regex, enabled, created_at)
  VALUES ('2001', 'goippy_2001', 'secret1', 1, '+79990001122', '.*', 1, '2021-03-04 05:06:07');
INSERT INTO goippy_gateways (ext, goip_id, goip_pass, channel, msisdn, allow_regex, enabled, created_at)
  VALUES ('2002', 'goippy_2002', 'secret2', NULL, NULL, '^\+7', 0, '2021-03-05 05:06:07');
INSERT INTO goippy_calls (ts, goip_id, ext, direction, remote_num, cause, msisdn, raw, created_at)
  VALUES (1614834367, 'goippy_2001', '2001', 1, '+79995556677', 'NORMAL', '+79990001122', 'RECORD:5;id:goippy_2001;password:secret1;dir:1;num:+79995556677', '2021-03-04 05:06:07');
INSERT INTO goippy_calls (ts, goip_id, ext, direction, remote_num, cause, msisdn, raw, created_at)
  VALUES (1614834467, 'goippy_2001', '2001', 2, '+79995550000', NULL, '+79990001122', 'RECORD:6;id:goippy_2001;password:secret1;dir:2;num:+79995550000', '2021-03-04 05:07:47');
INSERT INTO goippy_log (dir, msisdn, xmpp_jid, body, status, created_at)
  VALUES ('in', '+79995556677', '2001@example.org', 'Привет, мир', 'delivered', '2021-03-04 05:06:07');
INSERT INTO goippy_log (dir, msisdn, xmpp_jid, body, status, created_at)
  VALUES ('out', '+79995556677', '2001@example.org', 'ok; see you: 10:00', 'sent', '2021-03-04 05:08:00');
INSERT INTO goippy_log (dir, msisdn, xmpp_jid, body, status, created_at)
  VALUES ('in', '+79995550000', '2001@example.org', 'DELIVER state:0', 'report', '2021-03-04 05:09:00');
INSERT INTO goippy_state (goip_id, ext, msisdn, gsm_signal, gsm_status, voip_status, voip_state, remain_time, provider, disable_status, updated_at)
  VALUES ('goippy_2001', '2001', '+79990001122', 23, 'LOGIN', 'LOGIN', 'IDLE', -1, 'MegaFon', 0, '2021-03-04 05:10:00');
