/**
 * The dedupe of GoIP events other than RECEIVE (DELIVER, RECORD, HANGUP,
 * USSN) for {@linkcode SqlStore}: `goippy_event_seen`, keyed on the line,
 * the event's name, its counter `n` and a hash of its content. A
 * retransmission repeats the whole event; another event that reuses `n`
 * (after a reboot) has other content and is new.
 *
 * @module
 */

import { clip } from "./rows.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import type { EventKey } from "./types.ts";

const TABLE = "goippy_event_seen";

/** Migration step 11: the table of events seen. Idempotent. */
export async function createEventSeenTable(
  c: SqlConn,
  d: SqlDriver,
): Promise<void> {
  const { key, int, tableOptions } = d.ddl;
  await c.exec(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (
      goip_id ${key(64)},
      kind ${key(16)},
      n ${int},
      content_hash ${key(32)},
      seen_ms ${int},
      PRIMARY KEY (goip_id, kind, n, content_hash))${tableOptions}`,
  );
  const age = "goippy_event_seen_age";
  if (!(await d.hasIndex(c, TABLE, age))) {
    await c.exec(`CREATE INDEX ${age} ON ${TABLE} (goip_id, seen_ms)`);
  }
}

function params(k: EventKey) {
  return [clip(k.goipId, 64), clip(k.kind, 16), k.n, clip(k.hash, 32)];
}

/** See {@linkcode Store.eventSeen}. */
export async function eventSeen(
  d: SqlDriver,
  k: EventKey,
  sinceMs: number,
): Promise<boolean> {
  const rows = await d.all(
    `SELECT seen_ms FROM ${TABLE} WHERE goip_id = ? AND kind = ? AND n = ? ` +
      "AND content_hash = ? AND seen_ms > ?",
    [...params(k), sinceMs],
  );
  return rows.length > 0;
}

/** See {@linkcode Store.markEventSeen}. */
export async function markEventSeen(
  d: SqlDriver,
  k: EventKey,
  nowMs: number,
  forgetBeforeMs: number,
): Promise<void> {
  await d.run(
    d.upsert(
      `INSERT INTO ${TABLE} (goip_id, kind, n, content_hash, seen_ms) ` +
        "VALUES (?, ?, ?, ?, ?)",
      "goip_id, kind, n, content_hash",
      "seen_ms = ?",
    ),
    [...params(k), nowMs, nowMs],
  );
  // The table stays small even when history is kept forever.
  await d.run(
    `DELETE FROM ${TABLE} WHERE goip_id = ? AND seen_ms <= ?`,
    [clip(k.goipId, 64), forgetBeforeMs],
  ).catch(() => {});
}
