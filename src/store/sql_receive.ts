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
import type { IncomingSms } from "./types.ts";
import { writeReceivedEvent } from "./sql_webhook_events.ts";

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
): Promise<Outcome> {
  return (await storeIncomingBatch(d, [sms], dedupeWindowMs, nowMs, events))[
    0
  ];
}

/**
 * See {@linkcode Store.storeIncomingBatch}: one transaction, results in
 * order.
 *
 * Several processes store the same RECEIVE at once (a GoIP retransmits, two
 * daemons share a database), so the locks are taken so that they cannot form
 * a cycle: each counter row is locked for writing at once (a locking read,
 * never a shared lock upgraded later), counters are locked in one order that
 * is the same for every transaction (line, `n`, hash), READ COMMITTED takes no
 * gap locks, and old counters are forgotten after the commit, in that same
 * order, outside the transaction that stores.
 */
export async function storeIncomingBatch(
  d: SqlDriver,
  list: IncomingSms[],
  dedupeWindowMs: number,
  nowMs: number,
  events = false,
): Promise<Outcome[]> {
  const out = await d.transaction(async (c) => {
    const fresh = await claimCounters(d, c, list, dedupeWindowMs, nowMs);
    // Log and inbox rows in arrival order: the inbox delivers in id order.
    for (let i = 0; i < list.length; i++) {
      if (fresh[i]) await writeReceived(c, list[i], nowMs, events);
    }
    return fresh.map((f): Outcome => f ? "stored" : "duplicate");
  }, { readCommitted: true });
  const lines = new Set(
    list.filter((_, i) => out[i] === "stored").map((s) => clip(s.goipId, 64)),
  );
  for (const goipId of lines) {
    // The SMS are committed; a failed clean-up is done by the next one.
    await forgetOld(d, goipId, nowMs - dedupeWindowMs).catch(() => {});
  }
  return out;
}

/**
 * Lock and record the counter of each SMS, in (line, n, hash) order; true
 * where the SMS is new (not seen within the window). A repeat inside `list`
 * finds the row its first copy wrote: a duplicate.
 */
async function claimCounters(
  d: SqlDriver,
  c: SqlConn,
  list: IncomingSms[],
  dedupeWindowMs: number,
  nowMs: number,
): Promise<boolean[]> {
  const keys = list.map((s, i) => ({
    goipId: clip(s.goipId, 64),
    n: s.n,
    hash: contentHash(s),
    i,
  }));
  const cmp = (x: string, y: string) => x < y ? -1 : x > y ? 1 : 0;
  keys.sort((a, b) =>
    cmp(a.goipId, b.goipId) || a.n - b.n || cmp(a.hash, b.hash) || a.i - b.i
  );
  const cutoff = nowMs - dedupeWindowMs;
  const fresh = Array<boolean>(list.length).fill(false);
  for (const { goipId, n, hash, i } of keys) {
    // The row of this event, and a counter seen before content was
    // recorded (empty hash, sorts first): within the window that one still
    // marks every event with its `n` as a copy.
    const rows = await c.all(
      "SELECT content_hash, seen_ms FROM goippy_receive_seen " +
        "WHERE goip_id = ? AND n = ? AND content_hash IN ('', ?) " +
        "ORDER BY content_hash" + d.forUpdate,
      [goipId, n, hash],
    );
    if (rows.some((r) => Number(r.seen_ms) > cutoff)) continue;
    if (rows.some((r) => r.content_hash === hash)) {
      await c.run(
        "UPDATE goippy_receive_seen SET seen_ms = ? " +
          "WHERE goip_id = ? AND n = ? AND content_hash = ?",
        [nowMs, goipId, n, hash],
      );
      fresh[i] = true;
    } else {
      // Nothing changed: another transaction stored this event since the
      // read (its copy of the SMS is the one kept).
      const r = await c.run(
        `${d.insertIgnore} INTO goippy_receive_seen ` +
          "(goip_id, n, content_hash, seen_ms) VALUES (?, ?, ?, ?)",
        [goipId, n, hash, nowMs],
      );
      fresh[i] = r.changes > 0;
    }
  }
  return fresh;
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
  events: boolean,
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
  if (events) await writeReceivedEvent(c, sms, log.lastId, nowMs);
}

/**
 * Forget a line's counters seen at or before `cutoffMs`: the table stays
 * small even when history is kept forever. Found without locks, then deleted
 * by key in ascending order (the order storing transactions lock in), each
 * chunk in a short transaction of its own.
 */
async function forgetOld(
  d: SqlDriver,
  goipId: string,
  cutoffMs: number,
): Promise<void> {
  const rows = await d.all(
    "SELECT n FROM goippy_receive_seen WHERE goip_id = ? AND seen_ms <= ?",
    [goipId, cutoffMs],
  );
  const ns = [...new Set(rows.map((r) => Number(r.n)))].sort((a, b) => a - b);
  const marks = Array(FORGET_CHUNK).fill("?").join(", ");
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
