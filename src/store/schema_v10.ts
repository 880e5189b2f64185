/**
 * Migration step 10: the HTTP API's tables. API tokens (only their SHA-256
 * is stored), the Idempotency-Key memory of `POST /api/v1/sms`, and the
 * durable webhook events with each receiver's delivery cursor.
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";

/** Create the API tables (idempotent). */
export async function apiTables(c: SqlConn, d: SqlDriver): Promise<void> {
  const { id, int, text, key, tableOptions: tail } = d.ddl;
  const after: string[] = [];
  const indexes = (table: string, list: [string, string][]) => {
    const idx = d.ddl.indexes(table, list);
    after.push(...idx.after);
    return idx.inline;
  };
  const tables = [
    `CREATE TABLE IF NOT EXISTS goippy_api_tokens (
      ${id},
      name ${key(64)} UNIQUE,
      token_hash ${key(64)} UNIQUE,
      line_list ${text},
      created_ms ${int})${tail}`,
    `CREATE TABLE IF NOT EXISTS goippy_api_idempotency (
      token_id ${int},
      idem_key ${key(128)},
      outbox_id ${int},
      created_ms ${int},
      PRIMARY KEY (token_id, idem_key))${tail}`,
    `CREATE TABLE IF NOT EXISTS goippy_webhook_events (
      ${id},
      created_ms ${int},
      event ${key(32)},
      payload ${text}
      ${
      indexes("goippy_webhook_events", [["goippy_webhook_age", "created_ms"]])
    }
      )${tail}`,
    `CREATE TABLE IF NOT EXISTS goippy_webhook_cursors (
      url_key ${key(64)} PRIMARY KEY,
      last_id ${int})${tail}`,
  ];
  for (const sql of [...tables, ...after]) await c.exec(sql);
}
