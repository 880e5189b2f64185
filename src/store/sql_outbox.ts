/**
 * The outgoing queue (`goippy_outbox`) and the per-line sendid counter, for
 * {@linkcode SqlStore}. Plain functions over a {@linkcode SqlDriver}.
 *
 * @module
 */

import { toOutbox } from "./rows.ts";
import type { Param, SqlConn, SqlDriver } from "./sql_driver.ts";
import type {
  NewOutboxItem,
  OutboxExpect,
  OutboxItem,
  OutboxUpdate,
  OutState,
} from "./types.ts";

const COLS =
  "id, created_ms, updated_ms, ext, goip_id, kind, dest_num, body, " +
  "from_jid, to_jid, stanza_id, want_receipt, origin, state, sendid, sms_no, " +
  "attempts, error_text, result_text, claimed_by";

/** The columns {@linkcode toOutbox} reads, as a SELECT list. */
export const OUTBOX_COLS = COLS;

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
  d: SqlConn,
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
  d: SqlConn,
  id: number,
  change: OutboxUpdate,
  nowMs: number,
  expect: OutboxExpect = {},
): Promise<boolean> {
  const sets = ["updated_ms = ?"];
  const params: Param[] = [nowMs];
  for (const [key, col] of UPDATE_COLS) {
    if (change[key] === undefined) continue;
    sets.push(`${col} = ?`);
    params.push(change[key] as Param);
  }
  // The hand-over time DELIVER reports are matched by: each claim sets it,
  // a row made `sent` without one gets the time of its OK.
  if (change.state === "sending") {
    sets.push("sent_ms = ?");
    params.push(nowMs);
  } else if (change.state === "sent") {
    sets.push("sent_ms = COALESCE(sent_ms, ?)");
    params.push(nowMs);
  }
  params.push(id);
  let where = "id = ?";
  if (expect.state !== undefined) {
    where += " AND state = ?";
    params.push(expect.state);
  }
  if (expect.claimedBy !== undefined) {
    where += " AND COALESCE(claimed_by, '') = ?";
    params.push(expect.claimedBy);
  }
  // Rows found count (SQLite; mysql2 asks for FOUND_ROWS), so an update
  // that writes the values already there still says it applied.
  const r = await d.run(
    `UPDATE goippy_outbox SET ${sets.join(", ")} WHERE ${where}`,
    params,
  );
  return r.changes > 0;
}

/** See {@linkcode Store.claimOutbox}. */
export async function claimOutbox(
  d: SqlDriver,
  id: number,
  claimer: string,
  sendid: number,
  attempts: number,
  nowMs: number,
): Promise<boolean> {
  // Only the line's owner may claim: it alone reaches the GoIP.
  const r = await d.run(
    "UPDATE goippy_outbox SET state = 'sending', claimed_by = ?, sendid = ?, " +
      "attempts = ?, updated_ms = ?, sent_ms = ? WHERE id = ? " +
      "AND state = 'queued' " +
      "AND EXISTS (SELECT 1 FROM goippy_state s WHERE " +
      "s.goip_id = goippy_outbox.goip_id AND s.owner_instance = ?)",
    [claimer, sendid, attempts, nowMs, nowMs, id, claimer],
  );
  return r.changes > 0;
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
      "AND state = 'sent' AND sent_ms >= ? ORDER BY id DESC LIMIT 1",
    [goipId, smsNo, sinceMs],
  );
  return rows.length ? toOutbox(rows[0]) : undefined;
}

/**
 * Move every row in `from` matching `where` to `to`; returns the rows this
 * call moved (as now). Each row moves by compare-and-set on its state, so
 * two instances doing this at once never both report one row.
 * `errorFor` gives each row its error text in the same write, so no reader
 * ever sees the final state without its reason.
 */
export function moveState(
  d: SqlDriver,
  from: OutState,
  to: OutState,
  where: string,
  params: Param[],
  nowMs: number,
  errorFor?: (item: OutboxItem) => string,
  onMoved?: (c: SqlConn, item: OutboxItem) => Promise<void>,
): Promise<OutboxItem[]> {
  return d.transaction(async (c) => {
    const rows = await c.all(
      `SELECT ${COLS} FROM goippy_outbox WHERE state = ? ${where} ORDER BY id` +
        d.forUpdate,
      [from, ...params],
    );
    const moved: OutboxItem[] = [];
    for (const item of rows.map(toOutbox)) {
      const error = errorFor?.(item) ?? item.error;
      const r = await c.run(
        "UPDATE goippy_outbox SET state = ?, error_text = ?, updated_ms = ? " +
          "WHERE id = ? AND state = ?",
        [to, error, nowMs, item.id, from],
      );
      if (r.changes === 0) continue;
      item.state = to;
      item.error = error;
      item.updatedMs = nowMs;
      await onMoved?.(c, item);
      moved.push(item);
    }
    return moved;
  });
}
