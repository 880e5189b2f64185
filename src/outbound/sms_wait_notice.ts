/**
 * The notice a user gets when an SMS has to wait because the line is
 * offline: once per waiting episode of a line, not per message. The episode
 * is read from the outbox itself: an SMS queued while the line is offline
 * and nothing else of the line waits starts one; the SMS after it in the same
 * burst find the first still waiting and say nothing. Once the queue has
 * drained, a later offline wait starts a new episode. Pure decisions and
 * their text.
 *
 * @module
 */

import type { LineState } from "../store/types.ts";
import { formatDuration } from "../notices/mod.ts";
import { lineOnline } from "../line_online.ts";
import { utcTime } from "../notices/mod.ts";

/**
 * Whether an SMS about to be queued starts a waiting episode (and so gets the
 * notice): its line is offline and nothing else of the line is queued yet.
 * `othersWaiting` is only asked when the line is offline.
 */
export async function startsWait(
  line: LineState | undefined,
  nowMs: number,
  offlineAfterS: number,
  othersWaiting: () => Promise<boolean>,
): Promise<boolean> {
  if (lineOnline(line, nowMs, { GOIP_OFFLINE_AFTER: offlineAfterS })) {
    return false;
  }
  return !(await othersWaiting());
}

/** The notice: the line is offline, the SMS waits until QUEUE_TTL. */
export function waitNoticeText(
  line: LineState | undefined,
  nowMs: number,
  queueTtlS: number,
): string {
  const seen = line && line.lastSeenMs > 0
    ? `last seen ${utcTime(line.lastSeenMs)}`
    : "not heard from yet";
  return `Your line is offline (${seen}); your SMS waits and goes out ` +
    `when the line is back, until ${utcTime(nowMs + queueTtlS * 1000)} ` +
    `(${formatDuration(queueTtlS)}, QUEUE_TTL); after that it expires and ` +
    "you get an error. More SMS sent meanwhile wait too, without a new notice.";
}
