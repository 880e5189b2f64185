/**
 * Outbox inserts that arrive together (stanzas or API requests in one turn
 * of the event loop) written in one transaction, for {@linkcode SqlStore}'s
 * group commit. Items under a send limit are checked inside that same
 * transaction, as `checkGuard` does for an idempotent API request: the gateway rows of
 * every guarded line are locked first, in goip_id order (the order every
 * other enqueue transaction locks them in), then each item is counted and
 * inserted in submission order, so a line's rows keep the order they came
 * in and each count sees the items before it.
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import { enqueueOutbox } from "./sql_outbox.ts";
import { lockLine } from "./sql_enqueue_guard.ts";
import { sendUsage } from "./sql_sends.ts";
import type { EnqueueGuard, NewOutboxItem } from "./types.ts";

/** One item to queue, maybe under a send-limit guard. */
export interface EnqueueRequest {
  item: NewOutboxItem;
  guard?: EnqueueGuard;
}

/** The new row's id, or why its guard refused it (nothing written for it). */
export type EnqueueResult = { id: number } | { refused: unknown };

/** See the module doc. One result per request, in order. */
export function enqueueBatch(
  d: SqlDriver,
  reqs: EnqueueRequest[],
  nowMs: number,
): Promise<EnqueueResult[]> {
  const insertOnly = async (c: SqlConn) => {
    const out: EnqueueResult[] = [];
    for (const r of reqs) {
      out.push({ id: await enqueueOutbox(c, r.item, nowMs) });
    }
    return out;
  };
  const guarded = reqs.some((r) => r.guard);
  // One unguarded item alone needs no transaction (one statement).
  if (reqs.length === 1 && !guarded) return insertOnly(d);
  if (!guarded) return d.transaction(insertOnly);
  // READ COMMITTED: each count sees what other enqueues committed.
  return d.transaction(async (c) => {
    const lines = [
      ...new Set(reqs.filter((r) => r.guard).map((r) => r.item.goipId)),
    ].sort();
    for (const goipId of lines) await lockLine(c, d, goipId);
    const out: EnqueueResult[] = [];
    for (const r of reqs) {
      if (r.guard) {
        try {
          r.guard.admit(await sendUsage(c, r.item.goipId, r.guard.usage));
        } catch (refused) {
          out.push({ refused });
          continue;
        }
      }
      out.push({ id: await enqueueOutbox(c, r.item, nowMs) });
    }
    return out;
  }, { readCommitted: true });
}
