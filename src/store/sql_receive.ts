/**
 * Incoming SMS for {@linkcode SqlStore}: the RECEIVE dedupe
 * (`goippy_receive_seen`) and, for each new SMS, its traffic log and inbox
 * rows in the same transaction.
 *
 * A retransmission repeats the whole event: same line, same counter `n`,
 * same sender, same text. The dedupe is keyed on the line, `n` and a hash of
 * the content, so an SMS that reuses a counter (after a reboot) is new.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { clip } from "./rows.ts";
import { INBOX_INSERT, inboxParams } from "./sql_inbox.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import { LOG_INSERT, logParams } from "./sql_traffic.ts";
import {
  claimBulk,
  type CounterKey,
  nextPow2,
  writeReceivedBulk,
} from "./sql_receive_bulk.ts";
import type { IncomingSms } from "./types.ts";
import { writeReceivedEvent } from "./sql_webhook_events.ts";
import type { CounterSweep } from "./receive_sweep.ts";

type Outcome = "stored" | "duplicate";

/** Old counters forgotten per statement (padded, so one statement is cached). */
const FORGET_CHUNK = 50;

/** See {@linkcode Store.storeIncomingSms}. */
export async function storeIncomingSms(
  d: SqlDriver,
  sms: IncomingSms,
  dedupeWindowMs: number,
  nowMs: number,
  events = false,
  sweep?: CounterSweep,
): Promise<Outcome> {
  const out = await storeIncomingBatch(
    d,
    [sms],
    dedupeWindowMs,
    nowMs,
    events,
    undefined,
    sweep,
  );
  return out[0];
}

/**
 * See {@linkcode Store.storeIncomingBatch}: one transaction, results in
 * order.
 *
 * Several processes store the same RECEIVE at once (a GoIP retransmits, two
 * daemons share a database), so the locks are taken so that they cannot form
 * a cycle: each counter row is locked for writing at once (an upsert, never
 * a shared lock upgraded later), counters are locked in one order that is
 * the same for every transaction (line, `n`, hash), nothing waits for a lock
 * after that, READ COMMITTED takes no gap locks on reads, and old counters
 * are forgotten after the commit, in that same order, outside the
 * transaction that stores. `onWritten` is called when only the commit is
 * left: another batch then waits at most for this one's counter locks,
 * which are released by the commit.
 *
 * With a `sweep`, old counters are forgotten by it (at most once a second,
 * not awaited: the caller acknowledges right after the commit); without
 * one, here, before returning. Either way the dedupe does not depend on
 * it: a counter older than the window is treated as new whether or not it
 * is still in the table.
 */
export async function storeIncomingBatch(
  d: SqlDriver,
  list: IncomingSms[],
  dedupeWindowMs: number,
  nowMs: number,
  events = false,
  onWritten?: () => void,
  sweep?: CounterSweep,
): Promise<Outcome[]> {
  const out = await d.transaction(async (c) => {
    const keys = sortedKeys(list);
    // A repeat inside `list` is a copy of its first (earliest) occurrence.
    const distinct = keys.filter((k, j) => j === 0 || !sameKey(k, keys[j - 1]));
    const fresh = await claimBulk(
      d,
      c,
      distinct,
      list.length,
      nowMs - dedupeWindowMs,
      nowMs,
    );
    // Log and inbox rows in arrival order: the inbox delivers in id order.
    const stored = list.filter((_, i) => fresh[i]);
    if (events) {
      // Each webhook event names its traffic-log row: written row by row.
      for (const sms of stored) await writeReceived(c, sms, nowMs);
    } else {
      await writeReceivedBulk(c, stored, nowMs);
    }
    onWritten?.();
    return fresh.map((f): Outcome => f ? "stored" : "duplicate");
  }, { readCommitted: true });
  const lines = [
    ...new Set(
      list.filter((_, i) => out[i] === "stored").map((s) => clip(s.goipId, 64)),
    ),
  ].sort();
  if (sweep) {
    sweep.note(lines, nowMs - dedupeWindowMs, nowMs);
  } else {
    // The SMS are committed; a failed clean-up is done by the next one.
    await forgetOldCounters(d, lines, nowMs - dedupeWindowMs).catch(() => {});
  }
  return out;
}

/** The counter of each SMS, in (line, n, hash) order: the lock order. */
function sortedKeys(list: IncomingSms[]): CounterKey[] {
  const keys = list.map((s, i) => ({
    goipId: clip(s.goipId, 64),
    n: s.n,
    hash: contentHash(s),
    i,
  }));
  const cmp = (x: string, y: string) => x < y ? -1 : x > y ? 1 : 0;
  return keys.sort((a, b) =>
    cmp(a.goipId, b.goipId) || a.n - b.n || cmp(a.hash, b.hash) || a.i - b.i
  );
}

function sameKey(a: CounterKey, b: CounterKey): boolean {
  return a.goipId === b.goipId && a.n === b.n && a.hash === b.hash;
}

/**
 * What tells a retransmission from another SMS with the same counter: the
 * sender and the text (128 bits of SHA-256, hex).
 */
export function contentHash(sms: Pick<IncomingSms, "srcnum" | "body">): string {
  return createHash("sha256")
    .update(JSON.stringify([sms.srcnum, sms.body]))
    .digest("hex")
    .slice(0, 32);
}

async function writeReceived(
  c: SqlConn,
  sms: IncomingSms,
  nowMs: number,
) {
  const log = await c.run(
    LOG_INSERT,
    logParams({
      dir: "in",
      kind: "sms",
      goipId: clip(sms.goipId, 64),
      ext: sms.ext,
      number: sms.srcnum,
      xmppJid: sms.delivery.toJid,
      body: sms.body,
      status: "received",
    }, nowMs),
  );
  await c.run(INBOX_INSERT, inboxParams(sms.delivery, nowMs));
  await writeReceivedEvent(c, sms, log.lastId, nowMs);
}

/**
 * Forget the counters of `lines` (sorted) seen at or before `cutoffMs`: the
 * table stays small even when history is kept forever. Found without locks
 * (one query for all the lines), then deleted by key in ascending order (the
 * order storing transactions lock in), each chunk in a short transaction of
 * its own.
 */
export async function forgetOldCounters(
  d: SqlDriver,
  lines: string[],
  cutoffMs: number,
): Promise<void> {
  if (lines.length === 0) return;
  const found = new Map<string, Set<number>>();
  for (let at = 0; at < lines.length; at += FORGET_CHUNK) {
    const chunk = lines.slice(at, at + FORGET_CHUNK);
    const padded = nextPow2(chunk.length);
    while (chunk.length < padded) chunk.push(chunk[chunk.length - 1]);
    const rows = await d.all(
      "SELECT goip_id, n FROM goippy_receive_seen WHERE goip_id IN (" +
        Array(padded).fill("?").join(", ") + ") AND seen_ms <= ?",
      [...chunk, cutoffMs],
    );
    for (const r of rows) {
      const id = String(r.goip_id);
      found.set(id, (found.get(id) ?? new Set()).add(Number(r.n)));
    }
  }
  const marks = Array(FORGET_CHUNK).fill("?").join(", ");
  for (const goipId of lines) {
    const ns = [...(found.get(goipId) ?? [])].sort((a, b) => a - b);
    for (let i = 0; i < ns.length; i += FORGET_CHUNK) {
      const chunk = ns.slice(i, i + FORGET_CHUNK);
      while (chunk.length < FORGET_CHUNK) chunk.push(chunk[chunk.length - 1]);
      await d.transaction(
        (c) =>
          c.run(
            "DELETE FROM goippy_receive_seen WHERE goip_id = ? " +
              `AND n IN (${marks}) AND seen_ms <= ?`,
            [goipId, ...chunk, cutoffMs],
          ),
        { readCommitted: true },
      );
    }
  }
}
