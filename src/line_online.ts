/**
 * When a line counts as online, one rule for every part that asks (the
 * sender, the offline watch, the XMPP presence and `status` command, the
 * metrics and the CLI's `--status`).
 *
 * @module
 */

import type { Config } from "./config/types.ts";
import type { LineState } from "./store/types.ts";

/**
 * A line is online when goippy knows its address and its last
 * authenticated keepalive is at most GOIP_OFFLINE_AFTER seconds old. A
 * disabled gateway's line may still be online; callers that care look at
 * the gateway's `enabled` flag too.
 */
export function lineOnline(
  line: LineState | null | undefined,
  nowMs: number,
  config: Pick<Config, "GOIP_OFFLINE_AFTER">,
): boolean {
  return line != null && line.addr !== "" && line.lastSeenMs > 0 &&
    nowMs - line.lastSeenMs <= config.GOIP_OFFLINE_AFTER * 1000;
}

/**
 * The oldest keepalive of a line still online at `nowMs`: the same rule for
 * a database that counts lines itself (`Store.lineCounts`).
 */
export function onlineSinceMs(
  nowMs: number,
  config: Pick<Config, "GOIP_OFFLINE_AFTER">,
): number {
  return nowMs - config.GOIP_OFFLINE_AFTER * 1000;
}
