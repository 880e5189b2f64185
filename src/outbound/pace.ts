/**
 * The checks an SMS passes at hand-over, after it was queued: the send
 * limits again, and the line's pace. USSD is never paced or limited here: it
 * is live and a user waits for the answer.
 *
 * - An SMS that would exceed a limit now (queued before the limit was
 *   reached or lowered) fails with the limit's text instead of going out.
 * - The next SMS of a line is handed over no sooner than SEND_INTERVAL (+ a
 *   random share of SEND_JITTER) seconds after the line's last hand-over as
 *   recorded in the database (so a restart or another instance keeps the
 *   pace); the line's worker waits, keeping the order.
 *
 * @module
 */

import type { Gateway, OutboxItem } from "../store/types.ts";
import {
  checkSendLimit,
  limitText,
  lineLimits,
  nextSendAtMs,
  usageQuery,
} from "../limits/mod.ts";
import { finalNotice, reportedFinal } from "./report.ts";
import type { DriverContext } from "./context.ts";

/** The send limits and pace of SMS at hand-over, per line. */
export class SmsPacer {
  #d: DriverContext;
  /** The paced time of a line's next SMS, by what it was computed from. */
  #paceAt = new Map<string, { from: string; atMs: number }>();
  /** When this driver's last SMS attempt of a line ended (the GoIP had it). */
  #smsEndedAt = new Map<string, number>();

  constructor(deps: DriverContext) {
    this.#d = deps;
  }

  /** An item of the line was claimed: the next SMS draws a fresh jitter. */
  claimed(goipId: string): void {
    this.#paceAt.delete(goipId);
  }

  /** An SMS attempt on the line ended. */
  smsEnded(goipId: string): void {
    this.#smsEndedAt.set(goipId, this.#d.now());
  }

  /**
   * Fail `item` (the line's next SMS) when handing it over now would exceed
   * a send limit; true when it did.
   */
  async failOverLimit(gw: Gateway, item: OutboxItem): Promise<boolean> {
    const d = this.#d;
    // Tried before (the GoIP refused it without sending): it is counted
    // already, and its turn again is not one more SMS.
    if (item.attempts > 0) return false;
    const over = await checkSendLimit(
      d.store,
      gw,
      item.number,
      d.config(),
      "handover",
      d.now(),
    );
    if (!over) return false;
    const text = limitText(gw.ext, over);
    const notice = finalNotice(item, text);
    const failed = await d.locked(() =>
      d.store.finishOutbox(
        item.id,
        {
          state: "failed",
          error: text,
        },
        { state: "queued" },
        notice,
      )
    );
    if (!failed) return true;
    d.metrics?.smsLimited.inc({ limit: over.limit });
    await reportedFinal(d, item, "failed", text, notice !== undefined);
    return true;
  }

  /** How long the line's next SMS must still wait for its pace (0: go). */
  async waitMs(gw: Gateway): Promise<number> {
    const limits = lineLimits(gw, this.#d.config());
    if (limits.intervalS <= 0 && limits.jitterS <= 0) return 0;
    const now = this.#d.now();
    const { lastHandedMs } = await this.#d.store.sendUsage(
      gw.goipId,
      usageQuery(now, "", false),
    );
    // The recorded hand-over precedes the datagram; the end of this
    // driver's own attempt follows it, so counting from the later of the
    // two keeps the gap at the GoIP at least the interval.
    const ended = this.#smsEndedAt.get(gw.goipId);
    const last = lastHandedMs === null && ended === undefined
      ? null
      : Math.max(lastHandedMs ?? 0, ended ?? 0);
    // The jitter is drawn once per SMS, not at every look.
    const from = `${last} ${limits.intervalS} ${limits.jitterS}`;
    let pace = this.#paceAt.get(gw.goipId);
    if (pace?.from !== from) {
      const random = this.#d.random ?? Math.random;
      pace = { from, atMs: nextSendAtMs(limits, last, random) };
      this.#paceAt.set(gw.goipId, pace);
    }
    return Math.max(0, pace.atMs - now);
  }
}
