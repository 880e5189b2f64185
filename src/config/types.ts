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
  /** Refuse events from another address than the last authenticated keepalive's. */
  GOIP_PIN_ADDRESS: boolean;
  /** CIDRs allowed to talk to the UDP port; empty = everyone. */
  GOIP_ALLOW_SOURCES: string[];
  /** Seconds without keepalive after which a line counts as offline. */
  GOIP_OFFLINE_AFTER: number;
  /** Minutes within which a repeated RECEIVE `(id, n)` is a retransmission. */
  RECEIVE_DEDUPE_MINUTES: number;
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

  SMS_SEND_MODE: SmsSendMode;
  /** Seconds an outgoing message may wait for its line. */
  QUEUE_TTL: number;
  /** Seconds a USSD request may take to reach the GoIP; it never waits for an offline line. */
  USSD_TTL: number;
  CALL_NOTIFY: boolean;

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
  /** This daemon's name in `goippy_instances`; "" = `<hostname>:<GOIP_UDP_PORT>`. */
  INSTANCE_ID: string;
  /** Seconds without a heartbeat after which a daemon counts as not running. */
  INSTANCE_DEAD_AFTER: number;
}
