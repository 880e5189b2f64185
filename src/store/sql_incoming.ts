/**
 * Incoming traffic (RECEIVE dedupe, traffic log, inbox queue) and
 * housekeeping for {@linkcode SqlStore}.
 *
 * @module
 */

import { clip, toInbox } from "./rows.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import { FINAL_STATES, insertIgnore } from "./sql_outbox.ts";
import type {
  InboxItem,
  IncomingSms,
  NewInboxItem,
  QueueDepths,
  TrafficEntry,
} from "./types.ts";

/** Ids per `UPDATE … WHERE id IN (…)` (padded, so one statement is cached). */
const ID_CHUNK = 50;

/** See {@linkcode Store.storeIncomingSms}. */
export function storeIncomingSms(
  d: SqlDriver,
  sms: IncomingSms,
  dedupeWindowMs: number,
  nowMs = Date.now(),
): Promise<"stored" | "duplicate"> {
  return d.transaction(async (c) => {
    const r = await storeOne(d, c, sms, dedupeWindowMs, nowMs);
    if (r === "stored") await forgetOld(c, sms.goipId, dedupeWindowMs, nowMs);
    return r;
  });
}

/** See {@linkcode Store.storeIncomingBatch}: one transaction, results in order. */
export function storeIncomingBatch(
  d: SqlDriver,
  list: IncomingSms[],
  dedupeWindowMs: number,
  nowMs = Date.now(),
): Promise<("stored" | "duplicate")[]> {
  return d.transaction(async (c) => {
    const out: ("stored" | "duplicate")[] = [];
    const lines = new Set<string>();
    for (const sms of list) {
      const r = await storeOne(d, c, sms, dedupeWindowMs, nowMs);
      if (r === "stored") lines.add(sms.goipId);
      out.push(r);
    }
    // Once per line and batch, not once per SMS.
    for (const goipId of lines) {
      await forgetOld(c, goipId, dedupeWindowMs, nowMs);
    }
    return out;
  });
}

function storeOne(
  d: SqlDriver,
  c: SqlConn,
  sms: IncomingSms,
  dedupeWindowMs: number,
  nowMs: number,
): Promise<"stored" | "duplicate"> {
  const goipId = clip(sms.goipId, 64);
  return (async () => {
    const fresh = await c.run(
      `${insertIgnore(d)} INTO goippy_receive_seen ` +
        "(goip_id, n, seen_ms) VALUES (?, ?, ?)",
      [goipId, sms.n, nowMs],
    );
    if (fresh.changes === 0) {
      const old = await c.run(
        "UPDATE goippy_receive_seen SET seen_ms = ? " +
          "WHERE goip_id = ? AND n = ? AND seen_ms <= ?",
        [nowMs, goipId, sms.n, nowMs - dedupeWindowMs],
      );
      if (old.changes === 0) return "duplicate";
    }
    await c.run(
      LOG_INSERT,
      logParams({
        dir: "in",
        kind: "sms",
        goipId,
        ext: sms.ext,
        number: sms.srcnum,
        xmppJid: sms.delivery.toJid,
        body: sms.body,
        status: "received",
      }, nowMs),
    );
    await c.run(INBOX_INSERT, inboxParams(sms.delivery, nowMs));
    return "stored";
  })();
}

/**
 * Forget a line's counters that left the window: the table stays small even
 * when history is kept forever.
 */
async function forgetOld(
  c: SqlConn,
  goipId: string,
  dedupeWindowMs: number,
  nowMs: number,
): Promise<void> {
  await c.run(
    "DELETE FROM goippy_receive_seen WHERE goip_id = ? AND seen_ms <= ?",
    [clip(goipId, 64), nowMs - dedupeWindowMs],
  );
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
