-- A database as the original Python goippy left it (MySQL/MariaDB), with
-- rows, in the 3-byte `utf8` charset older installations used.
-- Used by tests/store_test.ts to check the in-place upgrade.
CREATE TABLE goippy_gateways (
  id INT AUTO_INCREMENT PRIMARY KEY,
  ext VARCHAR(32) UNIQUE,
  goip_id VARCHAR(64) UNIQUE,
  goip_pass VARCHAR(64),
  channel INT,
  msisdn VARCHAR(32),
  allow_regex VARCHAR(255) DEFAULT '.*',
  enabled TINYINT(1) DEFAULT 1,
  created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE goippy_calls (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  ts INT,
  goip_id VARCHAR(64),
  ext VARCHAR(32),
  direction TINYINT,
  remote_num VARCHAR(32),
  cause VARCHAR(32),
  msisdn VARCHAR(32),
  raw VARCHAR(255),
  created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE goippy_log (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  dir ENUM('in','out'),
  msisdn VARCHAR(32),
  xmpp_jid VARCHAR(255),
  body TEXT,
  status VARCHAR(64),
  created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE goippy_state (
  id INT AUTO_INCREMENT PRIMARY KEY,
  goip_id VARCHAR(64) UNIQUE,
  ext VARCHAR(32),
  msisdn VARCHAR(32),
  gsm_signal INT,
  gsm_status VARCHAR(32),
  voip_status VARCHAR(32),
  voip_state VARCHAR(64),
  remain_time INT,
  provider VARCHAR(64),
  disable_status TINYINT(1),
  updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
INSERT INTO goippy_gateways (ext, goip_id, goip_pass, channel, msisdn, allow_regex, enabled, created_at)
  VALUES ('2001', 'goippy_2001', 'secret1', 1, '+79990001122', '.*', 1, '2021-03-04 05:06:07');
INSERT INTO goippy_gateways (ext, goip_id, goip_pass, channel, msisdn, allow_regex, enabled, created_at)
  VALUES ('2002', 'goippy_2002', 'secret2', NULL, NULL, '^\\+7', 0, '2021-03-05 05:06:07');
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
