/**
 * What a user may still do to an outgoing item while it waits: withdraw it
 * (XEP-0424 retraction) or change its text (XEP-0308 correction), and the
 * driver's claim of the item that ends that window. Every change is a
 * compare-and-set on `state = 'queued'`, checked by affected rows: whichever
 * of the user and the driver comes first wins, and the other sees it.
 *
 * @module
 */

import { toOutbox } from "./rows.ts";
import type { SqlDriver } from "./sql_driver.ts";
import type { OutboxItem } from "./types.ts";

const COLS =
  "id, created_ms, updated_ms, ext, goip_id, kind, dest_num, body, " +
  "from_jid, to_jid, stanza_id, want_receipt, origin, state, sendid, sms_no, " +
  "attempts, error_text, result_text";

/** Where a user's earlier message is looked for. */
export interface UserItemKey {
  goipId: string;
  /** Destination number ("" for USSD). */
  number: string;
  /** The user's bare JID; rows from any of their resources match. */
  fromBare: string;
  /** The id the client gave the message (its stanza id, = origin id). */
  stanzaId: string;
}

/** See {@linkcode Store.findUserItem}. */
export async function findUserItem(
  d: SqlDriver,
  key: UserItemKey,
): Promise<OutboxItem | undefined> {
  if (!key.stanzaId) return undefined;
  const rows = await d.all(
    `SELECT ${COLS} FROM goippy_outbox WHERE goip_id = ? AND stanza_id = ? ` +
      "AND dest_num = ? AND origin = 'xmpp' ORDER BY id DESC LIMIT 20",
    [key.goipId, key.stanzaId, key.number],
  );
  const bare = key.fromBare.toLowerCase();
  return rows.map(toOutbox).find((item) =>
    item.fromJid.split("/")[0].toLowerCase() === bare
  );
}

/** See {@linkcode Store.queuedOf}. */
export async function queuedOf(
  d: SqlDriver,
  goipId: string,
  limit: number,
): Promise<OutboxItem[]> {
  const n = Math.max(1, Math.floor(limit));
  const rows = await d.all(
    `SELECT ${COLS} FROM goippy_outbox WHERE state = 'queued' AND goip_id = ? ` +
      `ORDER BY id LIMIT ${n}`,
    [goipId],
  );
  return rows.map(toOutbox);
}

/** See {@linkcode Store.withdrawQueued}. */
export async function withdrawQueued(
  d: SqlDriver,
  id: number,
  text: string,
  nowMs: number,
): Promise<boolean> {
  const r = await d.run(
    "UPDATE goippy_outbox SET state = 'retracted', error_text = ?, " +
      "updated_ms = ? WHERE id = ? AND state = 'queued'",
    [text, nowMs, id],
  );
  return r.changes === 1;
}

/** See {@linkcode Store.replaceQueuedBody}. */
export async function replaceQueuedBody(
  d: SqlDriver,
  id: number,
  body: string,
  nowMs: number,
): Promise<boolean> {
  const r = await d.run(
    "UPDATE goippy_outbox SET body = ?, updated_ms = ? " +
      "WHERE id = ? AND state = 'queued'",
    [body, nowMs, id],
  );
  return r.changes === 1;
}

/** See {@linkcode Store.claimQueued}. */
export function claimQueued(
  d: SqlDriver,
  id: number,
  sendid: number,
  attempts: number,
  nowMs: number,
): Promise<OutboxItem | undefined> {
  return d.transaction(async (c) => {
    const r = await c.run(
      "UPDATE goippy_outbox SET state = 'sending', sendid = ?, attempts = ?, " +
        "updated_ms = ?, sent_ms = ? WHERE id = ? AND state = 'queued'",
      [sendid, attempts, nowMs, nowMs, id],
    );
    if (r.changes !== 1) return undefined;
    const rows = await c.all(
      `SELECT ${COLS} FROM goippy_outbox WHERE id = ?`,
      [id],
    );
    return rows.length ? toOutbox(rows[0]) : undefined;
  });
}
