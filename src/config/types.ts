/**
 * The effective settings of goippy, after defaults, aliases and validation.
 * Keys mirror the config file's UPPER_CASE names (see `load.ts`).
 *
 * @module
 */

/** Log levels from quietest to chattiest. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** How an outgoing SMS is handed to the GoIP. */
export type SmsSendMode = "sms" | "msg";

/** Everything goippy can be told in its config file. */
export interface Config {
  /** Where the settings came from ("" for built-in defaults). */
  sourcePath: string;

  DB_BACKEND: "sqlite" | "mysql";
  DB_HOST: string;
  DB_PORT: number;
  DB_USER: string;
  DB_PASS: string;
  DB_NAME: string;
  SQLITE_PATH: string;

  GOIP_UDP_BIND: string;
  GOIP_UDP_PORT: number;
  /**
   * No longer used, accepted for older configs: events carrying the password
   * are taken from any address; password-less replies only from the line's.
   */
  GOIP_PIN_ADDRESS: boolean;
  /** CIDRs allowed to talk to the UDP port; empty = everyone. */
  GOIP_ALLOW_SOURCES: string[];
  /** Seconds without keepalive after which a line counts as offline. */
  GOIP_OFFLINE_AFTER: number;
  /** Minutes within which a repeated RECEIVE `(id, n)` is a retransmission. */
  RECEIVE_DEDUPE_MINUTES: number;
  /**
   * The local spool of inbound events the store could not take in time
   * ("" = `goippy-spool.sqlite3` beside SQLITE_PATH, or in the working
   * directory with MySQL).
   */
  SPOOL_PATH: string;
  /** Size bound of the spool in MiB; past it events are not acknowledged. 0 = no spool. */
  SPOOL_MAX_MB: number;
  /** Failed authentications per minute from one address before it is ignored for a minute (0 = no limit). */
  GOIP_AUTH_FAIL_LIMIT: number;

  LOG_TO_STDOUT: boolean;
  LOG_LEVEL: LogLevel;
  /** 0 = keep forever. Alias LOG_DAYS. */
  LOG_RETENTION_DAYS: number;

  XMPP_HOST: string;
  XMPP_PORT: number;
  /** The users' domain, e.g. example.org. */
  XMPP_DOMAIN: string;
  /** The component's JID, e.g. sms.example.org ("" = XMPP disabled). */
  XMPP_COMPONENT_JID: string;
  XMPP_COMPONENT_SECRET: string;
  /**
   * Users of XMPP_DOMAIN may bind a line to their JID by registering with
   * the component (XEP-0077: the line's ext and GoIP password).
   */
  REGISTRATION: boolean;

  SMS_SEND_MODE: SmsSendMode;
  /** Seconds an outgoing message may wait for its line. */
  QUEUE_TTL: number;
  /** Seconds a USSD request may take to reach the GoIP; it never waits for an offline line. */
  USSD_TTL: number;
  CALL_NOTIFY: boolean;
  /** Least seconds between two SMS handed to one line (0 = none). */
  SEND_INTERVAL: number;
  /** Up to this many random extra seconds on top of SEND_INTERVAL. */
  SEND_JITTER: number;
  /** SMS per line in any 60 minutes (0 = no limit). */
  SEND_LIMIT_HOUR: number;
  /** SMS per line per calendar day, UTC (0 = no limit). */
  SEND_LIMIT_DAY: number;
  /** Distinct recipients per line per calendar month, UTC (0 = no limit). */
  SEND_LIMIT_RECIPIENTS_MONTH: number;

  /** XMPP accounts that get goippy's alerts (and admin commands). */
  ADMIN_JIDS: string[];
  /** Which alerts go out: "line" (offline/back), "auth" (failing source), "stuck" (queue). */
  ALERTS: string[];
  /** Seconds a line must stay offline before the admins hear of it. */
  ALERT_LINE_AFTER: number;
  /** Minutes the oldest queued item of an online line may wait before an alert. */
  ALERT_STUCK_MINUTES: number;

  /** `host:port` for /metrics and /health; "" = off. */
  METRICS_BIND: string;
  /** `host:port` for the HTTP API and the status page; "" = off. */
  API_BIND: string;
  /** Requests per minute each API token may make (token bucket, per daemon). */
  API_RATE_PER_MIN: number;
  /** Receivers of webhook events; [] = none. */
  WEBHOOKS: Webhook[];
  /** Hours an event is retried for before it is given up. */
  WEBHOOK_RETRY_HOURS: number;
  /** This daemon's name in `goippy_instances`; "" = `<hostname>:<GOIP_UDP_PORT>`. */
  INSTANCE_ID: string;
  /** Seconds without a heartbeat after which a daemon counts as not running. */
  INSTANCE_DEAD_AFTER: number;
}

/** Webhook events goippy sends. */
export const WEBHOOK_EVENTS: readonly string[] = [
  "sms.received",
  "sms.sent",
  "sms.delivered",
  "sms.failed",
  "ussd.received",
  "line.online",
  "line.offline",
  "call.incoming",
];

/** One webhook receiver (an entry of WEBHOOKS). */
export interface Webhook {
  /** http(s) URL the events are POSTed to. */
  url: string;
  /** The events it wants (see {@linkcode WEBHOOK_EVENTS}); ["*"] = all. */
  events: string[];
  /** HMAC-SHA256 key of the X-Goippy-Signature header. */
  secret: string;
}
