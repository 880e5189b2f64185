/**
 * The inbox queue (`goippy_inbox`: messages waiting for their XMPP user)
 * for {@linkcode SqlStore}.
 *
 * @module
 */

import { clip, toInbox } from "./rows.ts";
import type { SqlDriver } from "./sql_driver.ts";
import type { InboxItem, NewInboxItem } from "./types.ts";

/** Ids per `UPDATE … WHERE id IN (…)` (padded, so one statement is cached). */
const ID_CHUNK = 50;

/** See {@linkcode Store.enqueueInbox}. */
export async function enqueueInbox(
  d: SqlDriver,
  item: NewInboxItem,
  nowMs: number,
): Promise<number> {
  const r = await d.run(INBOX_INSERT, inboxParams(item, nowMs));
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
  nowMs: number,
): Promise<void> {
  const marks = Array(ID_CHUNK).fill("?").join(", ");
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK);
    while (chunk.length < ID_CHUNK) chunk.push(chunk[0]);
    await d.run(
      `UPDATE goippy_inbox SET done_ms = ? WHERE id IN (${marks}) ` +
        "AND done_ms IS NULL",
      [nowMs, ...chunk],
    );
  }
}

/** Insert one inbox row; parameters from {@linkcode inboxParams}. */
export const INBOX_INSERT =
  "INSERT INTO goippy_inbox (created_ms, kind, from_jid, to_jid, body, " +
  "ref_id, goip_id, done_ms) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)";

/** Parameters of {@linkcode INBOX_INSERT} for `item`, created at `nowMs`. */
export function inboxParams(item: NewInboxItem, nowMs: number) {
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
