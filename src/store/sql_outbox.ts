/**
 * The outgoing queue (`goippy_outbox`) and the per-line sendid counter, for
 * {@linkcode SqlStore}. Plain functions over a {@linkcode SqlDriver}.
 *
 * @module
 */

import { toOutbox } from "./rows.ts";
import type { Param, SqlDriver } from "./sql_driver.ts";
import type {
  NewOutboxItem,
  OutboxItem,
  OutboxUpdate,
  OutState,
} from "./types.ts";

const COLS =
  "id, created_ms, updated_ms, ext, goip_id, kind, dest_num, body, " +
  "from_jid, to_jid, stanza_id, want_receipt, origin, state, sendid, sms_no, " +
  "attempts, error_text, result_text";

/** States after which a row never changes again. */
export const FINAL_STATES: OutState[] = [
  "sent",
  "delivered",
  "failed",
  "uncertain",
  "expired",
  "retracted",
];

/** See {@linkcode Store.nextSendId}. */
export function nextSendId(
  d: SqlDriver,
  goipId: string,
  nowMs: number,
): Promise<number> {
  const floor = Math.floor(nowMs / 1000);
  // One upsert statement: the row lock is taken at once, so concurrent
  // callers queue up instead of deadlocking.
  const bump = "CASE WHEN last_id + 1 > ? THEN last_id + 1 ELSE ? END";
  const upsert = d.upsert(
    "INSERT INTO goippy_sendid (goip_id, last_id) VALUES (?, ?)",
    "goip_id",
    `last_id = ${bump}`,
  );
  return d.transaction(async (c) => {
    await c.run(upsert, [goipId, floor, floor, floor]);
    const rows = await c.all(
      "SELECT last_id FROM goippy_sendid WHERE goip_id = ?",
      [goipId],
    );
    return Number(rows[0].last_id);
  });
}

/** See {@linkcode Store.enqueueOutbox}. */
export async function enqueueOutbox(
  d: SqlDriver,
  item: NewOutboxItem,
  nowMs: number,
): Promise<number> {
  const r = await d.run(
    `INSERT INTO goippy_outbox (created_ms, updated_ms, ext, goip_id, kind,
      dest_num, body, from_jid, to_jid, stanza_id, want_receipt, origin, state,
      sendid, sms_no, attempts, error_text, result_text)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', NULL, NULL, 0, '', '')`,
    [
      nowMs,
      nowMs,
      item.ext,
      item.goipId,
      item.kind,
      item.number,
      item.body,
      item.fromJid,
      item.toJid,
      item.stanzaId,
      item.wantReceipt ? 1 : 0,
      item.origin,
    ],
  );
  return r.lastId;
}

/** See {@linkcode Store.outboxItem}. */
export async function outboxItem(
  d: SqlDriver,
  id: number,
): Promise<OutboxItem | undefined> {
  const rows = await d.all(`SELECT ${COLS} FROM goippy_outbox WHERE id = ?`, [
    id,
  ]);
  return rows.length ? toOutbox(rows[0]) : undefined;
}

/** See {@linkcode Store.nextQueued}. */
export async function nextQueued(
  d: SqlDriver,
  goipId: string,
): Promise<OutboxItem | undefined> {
  const rows = await d.all(
    `SELECT ${COLS} FROM goippy_outbox WHERE state = 'queued' AND goip_id = ? ` +
      "ORDER BY id LIMIT 1",
    [goipId],
  );
  return rows.length ? toOutbox(rows[0]) : undefined;
}

/** See {@linkcode Store.linesWithQueued}. */
export async function linesWithQueued(d: SqlDriver): Promise<string[]> {
  const rows = await d.all(
    "SELECT DISTINCT goip_id FROM goippy_outbox WHERE state = 'queued' " +
      "ORDER BY goip_id",
  );
  return rows.map((r) => String(r.goip_id));
}

const UPDATE_COLS: [keyof OutboxUpdate, string][] = [
  ["state", "state"],
  ["sendid", "sendid"],
  ["smsNo", "sms_no"],
  ["attempts", "attempts"],
  ["error", "error_text"],
  ["result", "result_text"],
];

/** See {@linkcode Store.updateOutbox}. */
export async function updateOutbox(
  d: SqlDriver,
  id: number,
  change: OutboxUpdate,
  nowMs: number,
): Promise<void> {
  const sets = ["updated_ms = ?"];
  const params: Param[] = [nowMs];
  for (const [key, col] of UPDATE_COLS) {
    if (change[key] === undefined) continue;
    sets.push(`${col} = ?`);
    params.push(change[key] as Param);
  }
  params.push(id);
  await d.run(
    `UPDATE goippy_outbox SET ${sets.join(", ")} WHERE id = ?`,
    params,
  );
}

/** See {@linkcode Store.findSentBySmsNo}. */
export async function findSentBySmsNo(
  d: SqlDriver,
  goipId: string,
  smsNo: number,
  sinceMs: number,
): Promise<OutboxItem | undefined> {
  const rows = await d.all(
    `SELECT ${COLS} FROM goippy_outbox WHERE goip_id = ? AND sms_no = ? ` +
      "AND state = 'sent' AND created_ms >= ? ORDER BY id DESC LIMIT 1",
    [goipId, smsNo, sinceMs],
  );
  return rows.length ? toOutbox(rows[0]) : undefined;
}

/** Move every row in `from` matching `where` to `to`; returns them (as now). */
export function moveState(
  d: SqlDriver,
  from: OutState,
  to: OutState,
  where: string,
  params: Param[],
  nowMs: number,
): Promise<OutboxItem[]> {
  return d.transaction(async (c) => {
    const rows = await c.all(
      `SELECT ${COLS} FROM goippy_outbox WHERE state = ? ${where} ORDER BY id` +
        d.forUpdate,
      [from, ...params],
    );
    const items = rows.map(toOutbox);
    for (const item of items) {
      await c.run(
        "UPDATE goippy_outbox SET state = ?, updated_ms = ? WHERE id = ?",
        [to, nowMs, item.id],
      );
      item.state = to;
      item.updatedMs = nowMs;
    }
    return items;
  });
}
