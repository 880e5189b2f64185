/**
 * USSD codes are actions taken now (buy a bundle, move credit, answer a menu
 * of a session that is long gone): a request is sent only while its line is
 * online and within USSD_TTL seconds of the request, and is otherwise refused
 * at once. It never waits in the queue for the line to come back. Pure
 * decisions and their texts.
 *
 * @module
 */

import type { LineState } from "../store/types.ts";
import { lineOnline } from "../line_online.ts";
import { utcTime } from "../notices/mod.ts";

/**
 * Why a USSD request cannot be taken now, or null when its line is online.
 * Asked before the request is queued.
 */
export function ussdOfflineText(
  line: LineState | undefined,
  nowMs: number,
  offlineAfterS: number,
): string | null {
  if (lineOnline(line, nowMs, { GOIP_OFFLINE_AFTER: offlineAfterS })) {
    return null;
  }
  const since = line && line.lastSeenMs > 0
    ? `line offline since ${utcTime(line.lastSeenMs)} (its last keepalive)`
    : "line offline: the GoIP has not been heard from yet";
  return `USSD not sent: ${since}; nothing was dialled. ` +
    "USSD codes are never queued: send it again once the line is online.";
}

/**
 * Why a queued USSD request must not be handed to the GoIP any more (it is
 * older than `ttlS` seconds), or null while it may still go.
 */
export function ussdStaleText(
  createdMs: number,
  nowMs: number,
  ttlS: number,
): string | null {
  if (nowMs - createdMs <= ttlS * 1000) return null;
  return `USSD not sent within ${ttlS} s; nothing was dialled. ` +
    "USSD codes are never run late: send it again if it is still wanted.";
}
