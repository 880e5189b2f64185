/**
 * Built-in defaults: what goippy runs on when no config file exists.
 *
 * @module
 */

import type { Config } from "./types.ts";

/** A fresh copy of the built-in defaults (SQLite, UDP 0.0.0.0:44444, XMPP off). */
export function defaultConfig(): Config {
  return {
    sourcePath: "",
    DB_BACKEND: "sqlite",
    DB_HOST: "127.0.0.1",
    DB_PORT: 3306,
    DB_USER: "goippy",
    DB_PASS: "",
    DB_NAME: "goippy",
    SQLITE_PATH: "./goippy.sqlite3",
    GOIP_UDP_BIND: "0.0.0.0",
    GOIP_UDP_PORT: 44444,
    GOIP_PIN_ADDRESS: true,
    GOIP_ALLOW_SOURCES: [],
    GOIP_OFFLINE_AFTER: 90,
    RECEIVE_DEDUPE_MINUTES: 10,
    SPOOL_PATH: "",
    SPOOL_MAX_MB: 64,
    GOIP_AUTH_FAIL_LIMIT: 20,
    LOG_TO_STDOUT: true,
    LOG_LEVEL: "info",
    LOG_RETENTION_DAYS: 0,
    XMPP_HOST: "127.0.0.1",
    XMPP_PORT: 5347,
    XMPP_DOMAIN: "",
    XMPP_COMPONENT_JID: "",
    XMPP_COMPONENT_SECRET: "",
    REGISTRATION: false,
    SMS_SEND_MODE: "sms",
    QUEUE_TTL: 86400,
    USSD_TTL: 30,
    CALL_NOTIFY: true,
    SEND_INTERVAL: 0,
    SEND_JITTER: 0,
    SEND_LIMIT_HOUR: 0,
    SEND_LIMIT_DAY: 0,
    SEND_LIMIT_RECIPIENTS_MONTH: 0,
    ADMIN_JIDS: [],
    ALERTS: ["line", "auth", "stuck"],
    ALERT_LINE_AFTER: 120,
    ALERT_STUCK_MINUTES: 15,
    METRICS_BIND: "",
    API_BIND: "",
    API_RATE_PER_MIN: 60,
    WEBHOOKS: [],
    WEBHOOK_RETRY_HOURS: 24,
    INSTANCE_ID: "",
    INSTANCE_DEAD_AFTER: 15,
  };
}
