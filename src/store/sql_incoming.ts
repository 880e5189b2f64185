/**
 * Incoming traffic (RECEIVE dedupe, traffic log, inbox queue) and
 * housekeeping for {@linkcode SqlStore}.
 *
 * @module
 */

import { clip, toInbox } from "./rows.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import { FINAL_STATES } from "./sql_outbox.ts";
import type {
  InboxItem,
  IncomingSms,
  NewInboxItem,
  QueueDepths,
  TrafficEntry,
} from "./types.ts";

/** Ids per `UPDATE … WHERE id IN (…)` (padded, so one statement is cached). */
const ID_CHUNK = 50;

type Outcome = "stored" | "duplicate";

/** Old counters forgotten per statement (padded, so one statement is cached). */
const FORGET_CHUNK = 50;

/** See {@linkcode Store.storeIncomingSms}. */
export async function storeIncomingSms(
  d: SqlDriver,
  sms: IncomingSms,
  dedupeWindowMs: number,
  nowMs = Date.now(),
): Promise<Outcome> {
  return (await storeIncomingBatch(d, [sms], dedupeWindowMs, nowMs))[0];
}

/**
 * See {@linkcode Store.storeIncomingBatch}: one transaction, results in
 * order.
 *
 * Several processes store the same RECEIVE at once (a GoIP retransmits, two
 * daemons share a database), so the locks are taken so that they cannot form
 * a cycle: each counter row is locked for writing at once (a locking read,
 * never a shared lock upgraded later), counters are locked in one order that
 * is the same for every transaction (line, then `n`), READ COMMITTED takes no
 * gap locks, and old counters are forgotten after the commit, in that same
 * order, outside the transaction that stores.
 */
export async function storeIncomingBatch(
  d: SqlDriver,
  list: IncomingSms[],
  dedupeWindowMs: number,
  nowMs = Date.now(),
): Promise<Outcome[]> {
  const out = await d.transaction(async (c) => {
    const fresh = await claimCounters(d, c, list, dedupeWindowMs, nowMs);
    // Log and inbox rows in arrival order: the inbox delivers in id order.
    for (let i = 0; i < list.length; i++) {
      if (fresh[i]) await writeReceived(c, list[i], nowMs);
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
 * Lock and record the counter of each SMS, in (line, n) order; true where the
 * SMS is new (counter unseen or seen before the window). A repeat inside
 * `list` finds the row its first copy wrote: a duplicate.
 */
async function claimCounters(
  d: SqlDriver,
  c: SqlConn,
  list: IncomingSms[],
  dedupeWindowMs: number,
  nowMs: number,
): Promise<boolean[]> {
  const keys = list.map((s, i) => ({ goipId: clip(s.goipId, 64), n: s.n, i }));
  keys.sort((a, b) =>
    a.goipId < b.goipId ? -1 : a.goipId > b.goipId ? 1 : a.n - b.n || a.i - b.i
  );
  const fresh = Array<boolean>(list.length).fill(false);
  for (const { goipId, n, i } of keys) {
    const rows = await c.all(
      "SELECT seen_ms FROM goippy_receive_seen WHERE goip_id = ? AND n = ?" +
        d.forUpdate,
      [goipId, n],
    );
    if (rows.length > 0) {
      if (Number(rows[0].seen_ms) > nowMs - dedupeWindowMs) continue;
      await c.run(
        "UPDATE goippy_receive_seen SET seen_ms = ? WHERE goip_id = ? AND n = ?",
        [nowMs, goipId, n],
      );
      fresh[i] = true;
    } else {
      // Nothing changed: another transaction stored this counter since the
      // read (its copy of the SMS is the one kept).
      const r = await c.run(
        `${d.insertIgnore} INTO goippy_receive_seen ` +
          "(goip_id, n, seen_ms) VALUES (?, ?, ?)",
        [goipId, n, nowMs],
      );
      fresh[i] = r.changes > 0;
    }
  }
  return fresh;
}

async function writeReceived(c: SqlConn, sms: IncomingSms, nowMs: number) {
  await c.run(
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
  const ns = rows.map((r) => Number(r.n)).sort((a, b) => a - b);
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

/** See {@linkcode Store.logTraffic}. */
export async function logTraffic(
  d: SqlDriver,
  entry: TrafficEntry,
): Promise<void> {
  await d.run(LOG_INSERT, logParams(entry, Date.now()));
}

/** See {@linkcode Store.enqueueInbox}. */
export async function enqueueInbox(
  d: SqlDriver,
  item: NewInboxItem,
): Promise<number> {
  const r = await d.run(INBOX_INSERT, inboxParams(item, Date.now()));
  return r.lastId;
}

/** See {@linkcode Store.pendingInbox}. */
export async function pendingInbox(
  d: SqlDriver,
  limit: number,
): Promise<InboxItem[]> {
  const n = Math.max(0, Math.floor(limit));
  const rows = await d.all(
    "SELECT id, created_ms, kind, from_jid, to_jid, body, ref_id, goip_id " +
      `FROM goippy_inbox WHERE done_ms IS NULL ORDER BY id LIMIT ${n}`,
  );
  return rows.map(toInbox);
}

/** See {@linkcode Store.markInboxDone}. */
export async function markInboxDone(
  d: SqlDriver,
  ids: number[],
): Promise<void> {
  const now = Date.now();
  const marks = Array(ID_CHUNK).fill("?").join(", ");
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK);
    while (chunk.length < ID_CHUNK) chunk.push(chunk[0]);
    await d.run(
      `UPDATE goippy_inbox SET done_ms = ? WHERE id IN (${marks}) ` +
        "AND done_ms IS NULL",
      [now, ...chunk],
    );
  }
}

/** See {@linkcode Store.queueDepths}. */
export async function queueDepths(d: SqlDriver): Promise<QueueDepths> {
  const inbox = await d.all(
    "SELECT COUNT(*) AS n FROM goippy_inbox WHERE done_ms IS NULL",
  );
  const outbox = await d.all(
    "SELECT state, COUNT(*) AS n FROM goippy_outbox " +
      "WHERE state IN ('queued', 'sending') GROUP BY state",
  );
  const count = (s: string) =>
    Number(outbox.find((r) => r.state === s)?.n ?? 0);
  return {
    inboxPending: Number(inbox[0].n),
    outboxQueued: count("queued"),
    outboxSending: count("sending"),
  };
}

/** See {@linkcode Store.purgeOlderThan}. */
export function purgeOlderThan(
  d: SqlDriver,
  beforeMs: number,
): Promise<number> {
  const finals = FINAL_STATES.map((s) => `'${s}'`).join(", ");
  return d.transaction(async (c) => {
    let n = 0;
    for (
      const [sql, p] of [
        ["DELETE FROM goippy_log WHERE created_ms < ?", beforeMs],
        [
          "DELETE FROM goippy_calls WHERE ts < ?",
          Math.floor(beforeMs / 1000),
        ],
        [
          "DELETE FROM goippy_inbox WHERE done_ms IS NOT NULL AND created_ms < ?",
          beforeMs,
        ],
        [
          `DELETE FROM goippy_outbox WHERE state IN (${finals}) AND updated_ms < ?`,
          beforeMs,
        ],
        ["DELETE FROM goippy_receive_seen WHERE seen_ms < ?", beforeMs],
      ] as const
    ) {
      n += (await c.run(sql, [p])).changes;
    }
    return n;
  });
}

const LOG_INSERT =
  "INSERT INTO goippy_log (dir, kind, goip_id, ext, msisdn, xmpp_jid, body, " +
  "status, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

function logParams(e: TrafficEntry, nowMs: number) {
  return [
    e.dir,
    clip(e.kind, 16),
    clip(e.goipId, 64),
    clip(e.ext, 32),
    clip(e.number, 32),
    clip(e.xmppJid, 255),
    e.body,
    clip(e.status, 64),
    nowMs,
  ];
}

const INBOX_INSERT =
  "INSERT INTO goippy_inbox (created_ms, kind, from_jid, to_jid, body, " +
  "ref_id, goip_id, done_ms) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)";

function inboxParams(item: NewInboxItem, nowMs: number) {
  return [
    item.createdMs ?? nowMs,
    item.kind,
    item.fromJid,
    item.toJid,
    item.body,
    item.refId,
    clip(item.goipId, 64),
  ];
}
