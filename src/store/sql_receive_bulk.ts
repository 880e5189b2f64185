/**
 * The batch form of the RECEIVE dedupe and writes: a few statements per
 * transaction whatever the batch size, so a database a round trip away
 * (MariaDB) commits thousands of SMS per second. The rules are those of
 * `sql_receive.ts`: counter rows are locked for writing in (line, n, hash)
 * order, READ COMMITTED, no shared lock upgraded later.
 *
 * Reads and updates by key come in power-of-two sizes (padded with repeats
 * of the last key), so each connection prepares a handful of them. Inserts
 * cannot be padded: a batch's rows go in one statement of exactly its size
 * (up to {@linkcode MAX_ROWS}), one round trip per table whatever the batch,
 * at the price of one prepared statement per size seen on a connection.
 *
 * @module
 */

import { INBOX_INSERT, inboxParams } from "./sql_inbox.ts";
import type { Param, SqlConn, SqlDriver } from "./sql_driver.ts";
import { LOG_INSERT, logParams } from "./sql_traffic.ts";
import type { IncomingSms } from "./types.ts";

/** Most rows (or keys) in one statement. */
const MAX_ROWS = 64;

/** A counter to claim: line, `n`, content hash and index in the batch. */
export interface CounterKey {
  goipId: string;
  n: number;
  hash: string;
  i: number;
}

/**
 * Sizes that add up to `n`, each at most {@linkcode MAX_ROWS}, full ones
 * first: `rowChunks(13)` is `[13]`, `rowChunks(200)` is `[64, 64, 64, 8]`.
 */
export function rowChunks(n: number, max = MAX_ROWS): number[] {
  const out: number[] = [];
  for (let left = n; left > 0; left -= max) out.push(Math.min(left, max));
  return out;
}

/** The smallest power of two ≥ `n` (at least 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * `seen_ms` of a counter row this transaction has just inserted and not yet
 * judged; never committed.
 */
const CLAIMING = -1;

/**
 * Claim `sorted` (distinct keys in (line, n, hash) order) in bulk; true per
 * batch index (of a batch of `size`) where the SMS is new.
 *
 * One upsert locks every counter row for writing in key order (inserting the
 * missing ones, marked {@linkcode CLAIMING}, locking the others), so locks
 * are taken in the same order as one counter at a time, and nothing waits
 * for a lock after that. A plain read then tells new rows (still marked) from
 * rows seen before; the rows of new SMS get `nowMs` in one update.
 */
export async function claimBulk(
  d: SqlDriver,
  c: SqlConn,
  sorted: CounterKey[],
  size: number,
  cutoffMs: number,
  nowMs: number,
): Promise<boolean[]> {
  const fresh = Array<boolean>(size).fill(false);
  await insertRows(
    c,
    "INSERT INTO goippy_receive_seen " +
      "(goip_id, n, content_hash, seen_ms) VALUES ",
    "(?, ?, ?, ?)",
    sorted.map((k) => [k.goipId, k.n, k.hash, CLAIMING]),
    (sql) => d.upsert(sql, "goip_id, n, content_hash", "seen_ms = seen_ms"),
  );
  // Every row of `sorted` is now locked by this transaction: a plain read
  // sees its current value. A counter seen before content was recorded
  // (empty hash, never written since) is read along.
  const seen = new Map<string, number>();
  await forChunks(sorted, async (chunk, padded) => {
    const rows = await c.all(
      "SELECT goip_id, n, content_hash, seen_ms FROM goippy_receive_seen " +
        "WHERE " +
        Array(padded).fill(
          "(goip_id = ? AND n = ? AND content_hash IN ('', ?))",
        ).join(" OR "),
      pad(chunk, padded),
    );
    for (const r of rows) {
      seen.set(
        `${r.goip_id}\n${Number(r.n)}\n${r.content_hash}`,
        Number(r.seen_ms),
      );
    }
  });
  const claimed: CounterKey[] = [];
  const dropped: CounterKey[] = [];
  for (const k of sorted) {
    const mine = seen.get(`${k.goipId}\n${k.n}\n${k.hash}`);
    const legacy = seen.get(`${k.goipId}\n${k.n}\n`);
    const copy = (mine !== undefined && mine !== CLAIMING && mine > cutoffMs) ||
      (legacy !== undefined && legacy > cutoffMs);
    if (!copy) {
      claimed.push(k);
      fresh[k.i] = true;
    } else if (mine === CLAIMING) {
      dropped.push(k);
    }
  }
  await forChunks(claimed, (chunk, padded) =>
    c.run(
      "UPDATE goippy_receive_seen SET seen_ms = ? WHERE " +
        Array(padded).fill("(goip_id = ? AND n = ? AND content_hash = ?)")
          .join(" OR "),
      [nowMs, ...pad(chunk, padded)],
    ));
  // A copy of a counter recorded without content: the row just inserted
  // goes (rare: rows from before content hashes).
  for (const k of dropped) {
    await c.run(
      "DELETE FROM goippy_receive_seen " +
        "WHERE goip_id = ? AND n = ? AND content_hash = ?",
      [k.goipId, k.n, k.hash],
    );
  }
  return fresh;
}

/** The keys of `chunk`, the last repeated up to `padded`. */
function pad(chunk: CounterKey[], padded: number): Param[] {
  const out: Param[] = [];
  for (let j = 0; j < padded; j++) {
    const k = chunk[Math.min(j, chunk.length - 1)];
    out.push(k.goipId, k.n, k.hash);
  }
  return out;
}

/** `fn` per chunk of at most {@linkcode MAX_ROWS}, with its padded size. */
async function forChunks(
  keys: CounterKey[],
  fn: (chunk: CounterKey[], padded: number) => Promise<unknown>,
): Promise<void> {
  for (let at = 0; at < keys.length; at += MAX_ROWS) {
    const chunk = keys.slice(at, at + MAX_ROWS);
    await fn(chunk, nextPow2(chunk.length));
  }
}

/** The traffic log and inbox rows of new SMS, in arrival order. */
export async function writeReceivedBulk(
  c: SqlConn,
  list: IncomingSms[],
  nowMs: number,
): Promise<void> {
  await insertRows(
    c,
    LOG_INSERT.slice(0, LOG_INSERT.indexOf("VALUES ") + 7),
    LOG_INSERT.slice(LOG_INSERT.indexOf("VALUES ") + 7),
    list.map((sms) =>
      logParams({
        dir: "in",
        kind: "sms",
        goipId: sms.goipId,
        ext: sms.ext,
        number: sms.srcnum,
        xmppJid: sms.delivery.toJid,
        body: sms.body,
        status: "received",
      }, nowMs)
    ),
  );
  await insertRows(
    c,
    INBOX_INSERT.slice(0, INBOX_INSERT.indexOf("VALUES ") + 7),
    INBOX_INSERT.slice(INBOX_INSERT.indexOf("VALUES ") + 7),
    list.map((sms) => inboxParams(sms.delivery, nowMs)),
  );
}

/**
 * Insert `rows` in order, in as few statements as {@linkcode MAX_ROWS}
 * allows (each passed through `wrap`, e.g. an upsert); rows changed.
 */
async function insertRows(
  c: SqlConn,
  head: string,
  tuple: string,
  rows: Param[][],
  wrap: (sql: string) => string = (sql) => sql,
): Promise<number> {
  let changed = 0;
  let at = 0;
  for (const size of rowChunks(rows.length)) {
    const part = rows.slice(at, at + size);
    at += size;
    const r = await c.run(
      wrap(head + Array(size).fill(tuple).join(", ")),
      part.flat(),
    );
    changed += r.changes;
  }
  return changed;
}
