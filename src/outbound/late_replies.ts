/**
 * Attempts that gave up without an answer, kept a while by line address and
 * sendid: a GoIP's reply that comes after the attempt stopped waiting still
 * tells the sender what happened.
 *
 * @module
 */

import type { ReplyPacket } from "../goip/types.ts";
import type { OutboxItem } from "../store/types.ts";

/** How long a reply to an attempt that gave up is still taken (10 min). */
export const LATE_REPLY_MS = 600_000;

/** Attempts that gave up, by `addr sendid`, while a late reply may come. */
export class LateReplies {
  #now: () => number;
  #late = new Map<string, { item: OutboxItem; untilMs: number }>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** An attempt gave up: its reply is taken until LATE_REPLY_MS from now. */
  gaveUp(addr: string, sendid: number, item: OutboxItem): void {
    this.#late.set(`${addr} ${sendid}`, {
      item,
      untilMs: this.#now() + LATE_REPLY_MS,
    });
  }

  /**
   * The item a reply answers late, if any; the first answer counts, repeats
   * do not.
   */
  take(addr: string, reply: ReplyPacket): OutboxItem | undefined {
    const now = this.#now();
    for (const [key, late] of this.#late) {
      if (late.untilMs < now) this.#late.delete(key);
    }
    const key = `${addr} ${reply.sendid}`;
    const late = this.#late.get(key);
    if (!late || (reply.kind !== "ok" && reply.kind !== "ussd")) {
      return undefined;
    }
    this.#late.delete(key);
    return late.item;
  }
}
