/**
 * The fully commented sample config that `goippy --sample` and
 * `goippy --install` write. Embedded as a string so a compiled binary needs
 * no file beside it.
 *
 * @module
 */

/** Options of {@linkcode sampleConfig}. */
export interface SampleOptions {
  /** SQLite file the sample points at (default `/var/lib/goippy/goippy.sqlite3`). */
  sqlitePath?: string;
}

/** The sample config text; every key is shown with its default. */
export function sampleConfig(opts: SampleOptions = {}): string {
  const sqlitePath = opts.sqlitePath ?? "/var/lib/goippy/goippy.sqlite3";
  return `# goippy configuration (TOML).
#
# Every key is shown with its built-in default; a line starting with "#" is
# a comment, so remove the "#" to change a setting. Strings need quotes,
# booleans are true/false (the original goippy's Python-style True/False and
# 'single quotes' are accepted too). Check this file with: goippy --check
#
# This file holds passwords: keep it mode 0600.

# --- database ----------------------------------------------------------------

# "sqlite" (one file, nothing to set up) or "mysql" (MySQL/MariaDB).
# DB_BACKEND = "sqlite"

# SQLite: the database file, created when missing (alias: DB_FILE).
# Built-in default: "./goippy.sqlite3" (relative to the working directory).
SQLITE_PATH = ${JSON.stringify(sqlitePath)}

# MySQL/MariaDB connection (used when DB_BACKEND = "mysql"). The database must
# exist; goippy creates its tables (utf8mb4) and upgrades the original
# goippy's tables in place. DB_NAME has the alias DB_BASE.
# DB_HOST = "127.0.0.1"   # or a list tried in order: "db1,db2:3307,db3"
# DB_PORT = 3306
# DB_USER = "goippy"
# DB_PASS = ""
# DB_NAME = "goippy"

# --- GoIP UDP "SMS Server" -------------------------------------------------------

# Address and port goippy listens on; set the GoIP's "SMS Server IP" and
# "SMS Server Port" to reach them (aliases: GOIP_BIND, GOIP_PORT).
# GOIP_UDP_BIND = "0.0.0.0"
# GOIP_UDP_PORT = 44444

# No longer used (accepted so older configs load): events with the line's
# password are taken from any address (NAT rebinding), replies without one
# only from the line's address, always.
# GOIP_PIN_ADDRESS = true

# Source ranges allowed to talk to the UDP port, e.g.
# ["192.168.1.0/24", "10.0.0.7"]; empty = everyone (firewall the port!).
# GOIP_ALLOW_SOURCES = []

# Seconds without a keepalive after which a line counts as offline.
# GOIP_OFFLINE_AFTER = 90

# Minutes within which a repeated incoming SMS (same GoIP, counter, sender and
# text) is a retransmission: acknowledged again, stored once.
# RECEIVE_DEDUPE_MINUTES = 10

# When the database cannot take an incoming SMS or event within 2 seconds,
# goippy writes it to this local file, acknowledges it, and moves it into the
# database when the database is back. "" = goippy-spool.sqlite3 beside
# SQLITE_PATH (SQLite) or in the working directory (MySQL; the state
# directory under systemd).
# SPOOL_PATH = ""
# Size bound of that file in MiB; past it nothing more is acknowledged (the
# GoIP keeps its SMS and sends them again). 0 = no spool.
# SPOOL_MAX_MB = 64

# Failed authentications (unknown id, wrong password, wrong address) per
# minute from one source address; after that its datagrams are dropped
# without a reply for a minute. 0 = no limit.
# GOIP_AUTH_FAIL_LIMIT = 20

# --- outgoing SMS/USSD ---------------------------------------------------------

# "sms": one packet per SMS (SMS <id> <telid> <pass> <number> <text>), as the
# original goippy did; "msg": the MSG/PASSWORD/SEND/DONE session.
# SMS_SEND_MODE = "sms"

# Seconds an outgoing message may wait for its line before it expires.
# QUEUE_TTL = 86400

# Seconds a USSD request may take to reach the GoIP. USSD codes never wait
# for an offline line: they are refused at once, and one not handed to the
# GoIP within this time fails ("nothing was dialled").
# USSD_TTL = 30

# Pacing: at least SEND_INTERVAL seconds between two SMS handed to one line,
# plus up to SEND_JITTER random seconds, so operators see no machine-timed
# burst. USSD is never paced (it is live).
# SEND_INTERVAL = 0
# SEND_JITTER = 0

# Send limits per line (0 = none): SMS in any 60 minutes, SMS per calendar
# day and distinct recipients per calendar month (both UTC). A message over a
# limit is refused at once with the limit and when it resets; nothing is
# queued for later. "goippy --limits <ext> ..." overrides them per gateway.
# SEND_LIMIT_HOUR = 0
# SEND_LIMIT_DAY = 0
# SEND_LIMIT_RECIPIENTS_MONTH = 0

# Tell the user about incoming calls (missed, or ended with their cause).
# CALL_NOTIFY = true

# --- Alerts to admins -------------------------------------------------------------

# XMPP accounts that get a chat message when a line goes offline / comes back,
# when a source keeps failing authentication, when a queue is stuck.
# ADMIN_JIDS = []
# Which of those alerts go out.
# ALERTS = ["line", "auth", "stuck"]
# Seconds a line must stay offline before the alert (no storms from flapping).
# ALERT_LINE_AFTER = 120
# Minutes the oldest waiting item of an online line may wait before the alert.
# ALERT_STUCK_MINUTES = 15

# --- XMPP component (XEP-0114) ---------------------------------------------------

# The XMPP server's component port.
# XMPP_HOST = "127.0.0.1"
# XMPP_PORT = 5347

# The component's JID, e.g. "sms.example.org"; "" turns XMPP off
# (alias: XMPP_DATA_DOMAIN). Needs XMPP_COMPONENT_SECRET.
# XMPP_COMPONENT_JID = ""
# XMPP_COMPONENT_SECRET = ""

# The users' domain: gateway <ext> belongs to <ext>@XMPP_DOMAIN. When empty,
# it is XMPP_COMPONENT_JID without its first label (sms.example.org ->
# example.org).
# XMPP_DOMAIN = ""

# Let users of XMPP_DOMAIN register with the component (XEP-0077) by giving a
# line's ext and its GoIP password ("ID for SMS" password): the line then
# belongs to their JID instead of <ext>@XMPP_DOMAIN. Off by default.
# REGISTRATION = false

# --- logging and monitoring -------------------------------------------------------

# Log to stdout (false: to stderr). Under systemd lines go to the journal
# with their levels.
# LOG_TO_STDOUT = true

# "error", "warn", "info" or "debug".
# LOG_LEVEL = "info"

# Days of traffic and call history to keep; 0 = forever (alias: LOG_DAYS).
# LOG_RETENTION_DAYS = 0

# host:port for GET /metrics (Prometheus) and GET /health, e.g.
# "127.0.0.1:9464"; "" = off.
# METRICS_BIND = ""

# host:port for the HTTP API (/api/v1/…, tokens from --token-add) and the
# status page (GET /), e.g. "127.0.0.1:8080"; "" = off.
# API_BIND = ""

# Requests per minute each API token may make (per daemon).
# API_RATE_PER_MIN = 60

# Webhooks: events POSTed as JSON to each url, signed with its secret
# (X-Goippy-Signature: sha256=<hex HMAC-SHA256 of the body>), retried with
# backoff, in order per url. Events: sms.received, sms.sent, sms.delivered,
# sms.failed, ussd.received, line.online, line.offline, call.incoming ("*" = all).
# WEBHOOKS = []
# For example:
#   WEBHOOKS = [
#     { url = "https://shop.example.org/goippy", events = ["sms.received"], secret = "change me" },
#   ]

# Hours an event is retried for before goippy gives it up.
# WEBHOOK_RETRY_HOURS = 24

# --- instances ----------------------------------------------------------------

# This daemon's name in the database (table goippy_instances, where it writes
# a heartbeat every few seconds); "" = <hostname>:<GOIP_UDP_PORT>.
# INSTANCE_ID = ""

# Seconds without a heartbeat after which a daemon counts as not running
# (--send and --ussd refuse at once when no daemon runs on the database).
# INSTANCE_DEAD_AFTER = 15
`;
}

/** The sample as `--sample` writes it. */
export const SAMPLE_CONFIG: string = sampleConfig();
