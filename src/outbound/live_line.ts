/**
 * Whether a request that must not wait can go to its line now. The one place
 * the live-request rules (USSD refusal, the waiting-SMS notice) ask "is the
 * line online"; it follows the outbound driver's rule, so what is refused
 * here is exactly what the driver would not serve.
 *
 * @module
 */

import type { LineState } from "../store/types.ts";

/**
 * A line can be served: its address is known and its last keepalive is at
 * most `offlineAfterS` seconds old (the outbound driver's rule).
 */
export function lineServable(
  line: LineState | undefined,
  nowMs: number,
  offlineAfterS: number,
): boolean {
  if (!line || line.addr === "" || line.lastSeenMs <= 0) return false;
  return nowMs - line.lastSeenMs <= offlineAfterS * 1000;
}

/** `2026-11-30 11:02:13 UTC`: a moment users read in texts. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
