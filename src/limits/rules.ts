/**
 * The per-line send limits and pacing: which limits apply to a gateway, the
 * windows they count in, whether one more SMS fits, the text of a refusal
 * and the pause before the next hand-over. Pure.
 *
 * - hour: SMS handed to the line in the last 60 minutes (a sliding window:
 *   a slot frees an hour after the oldest hand-over in it);
 * - day: SMS handed over since 00:00 UTC (resets at the next midnight UTC);
 * - recipients: distinct numbers since the 1st of the month 00:00 UTC; an
 *   SMS to a number already written to this month always fits.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Gateway, SendUsage, UsageQuery } from "../store/types.ts";

/** The config keys that give the defaults. */
export type LimitConfig = Pick<
  Config,
  | "SEND_INTERVAL"
  | "SEND_JITTER"
  | "SEND_LIMIT_HOUR"
  | "SEND_LIMIT_DAY"
  | "SEND_LIMIT_RECIPIENTS_MONTH"
>;

/** The limits in force for one line; 0 = none. */
export interface LineLimits {
  hour: number;
  day: number;
  recipients: number;
  intervalS: number;
  jitterS: number;
}

/** Which limit an SMS would exceed. */
export type LimitName = "hour" | "day" | "recipients";

/** An SMS over a limit: what the refusal (and a 429) says. */
export interface LimitExceeded {
  limit: LimitName;
  /** The limit in force. */
  max: number;
  /** What the line has used of it. */
  used: number;
  /** When one more SMS fits again (epoch ms). */
  resetAtMs: number;
}

const HOUR_MS = 3_600_000;

/** The gateway's overrides over the config's defaults. */
export function lineLimits(
  gateway: Pick<Gateway, "limits">,
  config: LimitConfig,
): LineLimits {
  const o = gateway.limits;
  return {
    hour: o?.hour ?? config.SEND_LIMIT_HOUR,
    day: o?.day ?? config.SEND_LIMIT_DAY,
    recipients: o?.recipients ?? config.SEND_LIMIT_RECIPIENTS_MONTH,
    intervalS: o?.interval ?? config.SEND_INTERVAL,
    jitterS: o?.jitter ?? config.SEND_JITTER,
  };
}

/** Whether any counting limit is set (else nothing needs counting). */
export function anyLimit(l: LineLimits): boolean {
  return l.hour > 0 || l.day > 0 || l.recipients > 0;
}

/** Whether the line has a limit or a pace (else the driver checks nothing). */
export function limitsOrPace(l: LineLimits): boolean {
  return anyLimit(l) || l.intervalS > 0 || l.jitterS > 0;
}

/** Start of the UTC day of `ms`. */
function dayStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Start of the UTC month of `ms`, shifted by `add` months. */
function monthStart(ms: number, add = 0): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1);
}

/** The windows to count in at `nowMs`, for {@linkcode Store.sendUsage}. */
export function usageQuery(
  nowMs: number,
  number: string,
  withQueued: boolean,
): UsageQuery {
  return {
    hourFromMs: nowMs - HOUR_MS,
    dayFromMs: dayStart(nowMs),
    monthFromMs: monthStart(nowMs),
    number,
    withQueued,
  };
}

/** The first limit one more SMS would exceed, or undefined when it fits. */
export function exceeded(
  l: LineLimits,
  u: SendUsage,
  nowMs: number,
): LimitExceeded | undefined {
  if (l.hour > 0 && u.hour >= l.hour) {
    return {
      limit: "hour",
      max: l.hour,
      used: u.hour,
      resetAtMs: (u.oldestInHourMs ?? nowMs) + HOUR_MS,
    };
  }
  if (l.day > 0 && u.day >= l.day) {
    return {
      limit: "day",
      max: l.day,
      used: u.day,
      resetAtMs: dayStart(nowMs) + 24 * HOUR_MS,
    };
  }
  if (l.recipients > 0 && !u.knownRecipient && u.recipients >= l.recipients) {
    return {
      limit: "recipients",
      max: l.recipients,
      used: u.recipients,
      resetAtMs: monthStart(nowMs, 1),
    };
  }
  return undefined;
}

const WHAT: Record<LimitName, string> = {
  hour: "SMS per hour",
  day: "SMS per day (UTC)",
  recipients: "distinct recipients per month (UTC)",
};

/** `2026-11-30 13:05 UTC` */
function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** The refusal a user or admin reads; names the limit and its reset. */
export function limitText(ext: string, e: LimitExceeded): string {
  return `Not sent: line ${ext} reached its limit of ${e.max} ${
    WHAT[e.limit]
  } (${e.used} used); the limit resets at ${utc(e.resetAtMs)}.`;
}

/** Seconds until `resetAtMs`, rounded up, at least 1 (for `Retry-After`). */
export function retryAfterS(e: LimitExceeded, nowMs: number): number {
  return Math.max(1, Math.ceil((e.resetAtMs - nowMs) / 1000));
}

/**
 * When the line may be handed its next SMS: SEND_INTERVAL after the last
 * hand-over plus `random()` × SEND_JITTER (0 when it never sent).
 */
export function nextSendAtMs(
  l: LineLimits,
  lastHandedMs: number | null,
  random: () => number,
): number {
  if (lastHandedMs === null) return 0;
  return lastHandedMs + l.intervalS * 1000 + random() * l.jitterS * 1000;
}

/** `12/30` or `12/-` (no limit), as `--status` and `status` show use. */
export function usedOf(used: number, max: number): string {
  return `${used}/${max > 0 ? max : "-"}`;
}
