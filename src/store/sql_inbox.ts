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

const INBOX_COLS =
  "id, created_ms, kind, from_jid, to_jid, body, ref_id, goip_id";

/** See {@linkcode Store.pendingInbox}. */
export async function pendingInbox(
  d: SqlDriver,
  limit: number,
  claimer?: string,
): Promise<InboxItem[]> {
  const n = Math.max(0, Math.floor(limit));
  if (claimer === undefined) {
    const rows = await d.all(
      `SELECT ${INBOX_COLS} FROM goippy_inbox WHERE done_ms IS NULL ` +
        `ORDER BY id LIMIT ${n}`,
    );
    return rows.map(toInbox);
  }
  // Claim what nobody holds (compare-and-set on claimed_by), then read back
  // only what this instance holds: a row another instance claimed in
  // between is simply not ours.
  const free = await d.all(
    "SELECT id FROM goippy_inbox WHERE done_ms IS NULL AND claimed_by IS NULL " +
      `ORDER BY id LIMIT ${n}`,
  );
  await inChunks(
    d,
    free.map((r) => Number(r.id)),
    (marks) =>
      "UPDATE goippy_inbox SET claimed_by = ? " +
      `WHERE id IN (${marks}) AND claimed_by IS NULL AND done_ms IS NULL`,
    [claimer],
  );
  const rows = await d.all(
    `SELECT ${INBOX_COLS} FROM goippy_inbox WHERE done_ms IS NULL ` +
      `AND claimed_by = ? ORDER BY id LIMIT ${n}`,
    [claimer],
  );
  return rows.map(toInbox);
}

/** See {@linkcode Store.markInboxDone}. */
export async function markInboxDone(
  d: SqlDriver,
  ids: number[],
  nowMs: number,
  claimer?: string,
): Promise<void> {
  await inChunks(
    d,
    ids,
    (marks) =>
      `UPDATE goippy_inbox SET done_ms = ? WHERE id IN (${marks}) ` +
      "AND done_ms IS NULL" +
      (claimer === undefined ? "" : " AND claimed_by = ?"),
    [nowMs],
    claimer === undefined ? [] : [claimer],
  );
}

/** See {@linkcode Store.releaseInboxClaims}. */
export async function releaseInboxClaims(
  d: SqlDriver,
  claimers: string[],
): Promise<number> {
  let released = 0;
  for (const claimer of claimers) {
    const r = await d.run(
      "UPDATE goippy_inbox SET claimed_by = NULL " +
        "WHERE claimed_by = ? AND done_ms IS NULL",
      [claimer],
    );
    released += r.changes;
  }
  return released;
}

/** Run `sql(marks)` over `ids` in padded chunks (one cached statement). */
async function inChunks(
  d: SqlDriver,
  ids: number[],
  sql: (marks: string) => string,
  before: (string | number)[],
  after: (string | number)[] = [],
): Promise<void> {
  const marks = Array(ID_CHUNK).fill("?").join(", ");
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK);
    while (chunk.length < ID_CHUNK) chunk.push(chunk[0]);
    await d.run(sql(marks), [...before, ...chunk, ...after]);
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
