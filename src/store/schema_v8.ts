/**
 * Migration step 8: per-line send limits. `goippy_sends` keeps one row per
 * SMS handed to a GoIP (what the operator counts and bills), so the limits
 * are counted from the database: they survive restarts and hold across
 * instances, and the retention purge of the outbox cannot shorten a month.
 * `goippy_gateways` gains nullable per-gateway overrides (NULL = the
 * config's default).
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";

/** The override columns of `goippy_gateways`, in `--limits` order. */
export const LIMIT_COLUMNS = [
  "limit_hour",
  "limit_day",
  "limit_recipients",
  "send_interval",
  "send_jitter",
] as const;

/** Create `goippy_sends` and the override columns. Idempotent. */
export async function sendLimits(c: SqlConn, d: SqlDriver): Promise<void> {
  const { key, int, text, tableOptions } = d.ddl;
  const idx = d.ddl.indexes("goippy_sends", [
    ["goippy_sends_line", "goip_id, handed_ms"],
  ]);
  await c.exec(
    `CREATE TABLE IF NOT EXISTS goippy_sends (
      outbox_id ${int} PRIMARY KEY,
      goip_id ${key(64)},
      dest_num ${text},
      handed_ms ${int}${idx.inline})${tableOptions}`,
  );
  for (const sql of idx.after) await c.exec(sql);
  const have = await d.columns(c, "goippy_gateways");
  for (const col of LIMIT_COLUMNS) {
    if (have.includes(col)) continue;
    await c.exec(
      `ALTER TABLE goippy_gateways ADD COLUMN ${col} ${d.ddl.intNull}`,
    );
  }
}
