/**
 * The config in force. A SIGHUP re-reads the file; the keys in
 * {@linkcode LIVE_KEYS} take effect at once, every other change waits for a
 * restart. Parts that read a live key take a {@linkcode LiveConfig} getter
 * and call it at the moment of use, so no part keeps a copy that a reload
 * would have to reach; settings that need a restart may be read once.
 *
 * @module
 */

import type { ConfigKey } from "./schema.ts";
import type { Config } from "./types.ts";

/** Returns the config in force now. */
export type LiveConfig = () => Config;

/** Settings a SIGHUP applies at once; every other change needs a restart. */
export const LIVE_KEYS: ReadonlySet<ConfigKey> = new Set<ConfigKey>([
  "LOG_LEVEL",
  "GOIP_PIN_ADDRESS",
  "GOIP_ALLOW_SOURCES",
  "GOIP_OFFLINE_AFTER",
  "RECEIVE_DEDUPE_MINUTES",
  "GOIP_AUTH_FAIL_LIMIT",
  "CALL_NOTIFY",
  "ADMIN_JIDS",
  "REGISTRATION",
  "ALERTS",
  "ALERT_LINE_AFTER",
  "ALERT_STUCK_MINUTES",
  "METRICS_BIND",
  "LOG_RETENTION_DAYS",
  "SMS_SEND_MODE",
  "QUEUE_TTL",
  "USSD_TTL",
  "SEND_INTERVAL",
  "SEND_JITTER",
  "SEND_LIMIT_HOUR",
  "SEND_LIMIT_DAY",
  "SEND_LIMIT_RECIPIENTS_MONTH",
]);

/**
 * The config in force after a reload: the live keys from the re-read
 * `next`, everything else as it runs now (so a part never sees a restart-only
 * change half applied).
 */
export function applyLive(running: Config, next: Config): Config {
  const out: Record<string, unknown> = { ...running };
  for (const k of LIVE_KEYS) out[k] = next[k];
  return out as unknown as Config;
}
