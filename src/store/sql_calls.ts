/**
 * Call records (`goippy_calls`) for {@linkcode SqlStore}.
 *
 * @module
 */

import { clip, toCall } from "./rows.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import type { CallRecord } from "./types.ts";

const COLS =
  "id, ts, goip_id, ext, direction, remote_num, cause, msisdn, raw, ended_ms";

/** See {@linkcode Store.recordCall}. */
export async function recordCall(
  d: SqlConn,
  call: Omit<CallRecord, "id" | "endedMs">,
): Promise<number> {
  const r = await d.run(
    "INSERT INTO goippy_calls (ts, goip_id, ext, direction, remote_num, " +
      "cause, msisdn, raw, ended_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
    [
      Math.floor(call.ts),
      clip(call.goipId, 64),
      clip(call.ext, 32),
      Math.floor(call.direction),
      clip(call.remoteNum, 32),
      clip(call.cause, 32),
      clip(call.msisdn, 32),
      clip(call.raw, 255),
    ],
  );
  return r.lastId;
}

/** See {@linkcode Store.completeCall}. */
export function completeCall(
  d: SqlDriver,
  goipId: string,
  remoteNum: string,
  cause: string,
  raw: string,
  nowMs: number,
): Promise<CallRecord | undefined> {
  const lock = d.forUpdate;
  const open = `SELECT ${COLS} FROM goippy_calls WHERE goip_id = ? ` +
    "AND ended_ms IS NULL";
  return d.transaction(async (c) => {
    let rows = remoteNum
      ? await c.all(
        `${open} AND remote_num = ? ORDER BY id DESC LIMIT 1${lock}`,
        [goipId, clip(remoteNum, 32)],
      )
      : [];
    if (!rows.length) {
      rows = await c.all(`${open} ORDER BY id DESC LIMIT 1${lock}`, [goipId]);
    }
    if (!rows.length) return undefined;
    const call = toCall(rows[0]);
    call.cause = clip(cause, 32);
    call.raw = clip(call.raw ? `${call.raw}\n${raw}` : raw, 255);
    call.endedMs = nowMs;
    await c.run(
      "UPDATE goippy_calls SET cause = ?, raw = ?, ended_ms = ? WHERE id = ?",
      [call.cause, call.raw, nowMs, call.id],
    );
    return call;
  });
}

/** See {@linkcode Store.recentCalls}. */
export async function recentCalls(
  d: SqlDriver,
  limit: number,
): Promise<CallRecord[]> {
  const n = Math.max(0, Math.floor(limit));
  const rows = await d.all(
    `SELECT ${COLS} FROM goippy_calls ORDER BY id DESC LIMIT ${n}`,
  );
  return rows.map(toCall);
}
