/**
 * The store functions the SQLite worker (`sqlite_worker.ts`) runs whole on
 * its connection, through a {@linkcode SqliteDriver}: one message per call
 * instead of one per statement. Their arguments and results are plain data
 * (structured clone); a send-limit guard travels as its rule
 * ({@linkcode PlainGuard}) and a refusal comes back as the limit it hit,
 * turned into the guard's own error by the caller.
 *
 * @module
 */

import { exceeded, type LimitExceeded } from "../limits/rules.ts";
import { enqueueOutboxOnce } from "./sql_api.ts";
import {
  enqueueBatch,
  type EnqueueRequest,
  type EnqueueResult,
} from "./sql_enqueue_batch.ts";
import { lookLines } from "./sql_line_look.ts";
import { saveLineStates } from "./sql_line_state.ts";
import {
  claimHeads,
  type ClaimRequest,
  recordSentBatch,
  type SentOutcome,
} from "./sql_outbox_batch.ts";
import { storeIncomingBatch } from "./sql_receive.ts";
import type { SqliteDriver } from "./sqlite_driver.ts";
import type {
  EnqueueGuard,
  IncomingSms,
  LineState,
  NewOutboxItem,
  OutboxItem,
} from "./types.ts";

/** An {@linkcode EnqueueGuard} as data: what to count and the rule. */
export interface PlainGuard {
  usage: EnqueueGuard["usage"];
  limits: NonNullable<EnqueueGuard["rule"]>["limits"];
  nowMs: number;
}

/** An outbox insert of a group commit, its guard as data. */
export interface PlainEnqueue {
  item: NewOutboxItem;
  guard?: PlainGuard;
}

/** The insert's id, or the limit its guard refused it for. */
export type PlainEnqueueResult = { id: number } | { over: LimitExceeded };

/** `guard` as plain data, or null when it has no rule (a test's guard). */
export function plainGuard(guard: EnqueueGuard): PlainGuard | null {
  if (!guard.rule) return null;
  const { limits, nowMs } = guard.rule;
  return { usage: guard.usage, limits, nowMs };
}

/** Thrown by {@linkcode liveGuard} in the worker: the limit hit. */
class Refused {
  constructor(readonly over: LimitExceeded) {}
}

/** The guard again, in the worker, applying the same rule. */
function liveGuard(g: PlainGuard): EnqueueGuard {
  return {
    usage: g.usage,
    admit(usage) {
      const over = exceeded(g.limits, usage, g.nowMs);
      if (over) throw new Refused(over);
    },
  };
}

async function enqueueBatchCall(
  d: SqliteDriver,
  reqs: PlainEnqueue[],
  nowMs: number,
): Promise<PlainEnqueueResult[]> {
  const live: EnqueueRequest[] = reqs.map((r) => ({
    item: r.item,
    guard: r.guard && liveGuard(r.guard),
  }));
  return (await enqueueBatch(d, live, nowMs)).map((r: EnqueueResult) => {
    if ("id" in r) return r;
    if (r.refused instanceof Refused) return { over: r.refused.over };
    throw r.refused;
  });
}

async function enqueueOnceCall(
  d: SqliteDriver,
  item: NewOutboxItem,
  tokenId: number,
  key: string,
  nowMs: number,
  guard: PlainGuard | undefined,
): Promise<{ item: OutboxItem; created: boolean } | { over: LimitExceeded }> {
  try {
    return await enqueueOutboxOnce(
      d,
      item,
      tokenId,
      key,
      nowMs,
      guard && liveGuard(guard),
    );
  } catch (err) {
    if (err instanceof Refused) return { over: err.over };
    throw err;
  }
}

/** The calls, by name; each takes the driver and its arguments as a tuple. */
export const CALLS = {
  storeIncomingBatch: (
    d: SqliteDriver,
    [list, windowMs, nowMs, events]: [IncomingSms[], number, number, boolean],
  ) => storeIncomingBatch(d, list, windowMs, nowMs, events),
  // SQLite takes no JSON bulk form: one row at a time, here without a
  // round trip per row.
  saveLineStates: (d: SqliteDriver, [list]: [LineState[]]) =>
    saveLineStates(d, list, null),
  claimHeads: (
    d: SqliteDriver,
    [requests, claimer, nowMs]: [ClaimRequest[], string, number],
  ) => claimHeads(d, requests, claimer, nowMs),
  recordSentBatch: (
    d: SqliteDriver,
    [list, claimer, nowMs, events]: [SentOutcome[], string, number, boolean],
  ) => recordSentBatch(d, list, claimer, nowMs, events),
  lookLines: (d: SqliteDriver, [goipIds]: [string[]]) => lookLines(d, goipIds),
  enqueueBatch: (
    d: SqliteDriver,
    [reqs, nowMs]: [PlainEnqueue[], number],
  ) => enqueueBatchCall(d, reqs, nowMs),
  enqueueOutboxOnce: (
    d: SqliteDriver,
    [item, tokenId, key, nowMs, guard]: [
      NewOutboxItem,
      number,
      string,
      number,
      PlainGuard | undefined,
    ],
  ) => enqueueOnceCall(d, item, tokenId, key, nowMs, guard),
};

/** The functions a worker `call` op can name. */
export type SqliteCalls = typeof CALLS;
