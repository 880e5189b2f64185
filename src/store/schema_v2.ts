/**
 * What goippy adds to the original schema (migration step 2): columns on the
 * original tables and the new tables (meta, RECEIVE dedupe, sendid counter,
 * inbox and outbox queues).
 *
 * @module
 */

import type { Ddl } from "./sql_driver.ts";

/** A column added to an existing table when it is missing. */
export interface AddedColumn {
  table: string;
  column: string;
  sqlite: string;
  mysql: string;
  /** Fills the new column for rows that existed before it. */
  backfill?: { sqlite: string; mysql: string };
}

/** Columns goippy adds to the original tables. */
export const ADDED_COLUMNS: AddedColumn[] = [
  col("goippy_state", "addr", "TEXT NOT NULL DEFAULT ''", "VARCHAR(64)"),
  col("goippy_state", "last_seen_ms", "INTEGER NOT NULL DEFAULT 0", "BIGINT"),
  col("goippy_state", "imei", "TEXT NOT NULL DEFAULT ''", "VARCHAR(32)"),
  col("goippy_state", "imsi", "TEXT NOT NULL DEFAULT ''", "VARCHAR(32)"),
  col("goippy_state", "iccid", "TEXT NOT NULL DEFAULT ''", "VARCHAR(32)"),
  col("goippy_log", "kind", "TEXT NOT NULL DEFAULT 'sms'", "VARCHAR(16)"),
  col("goippy_log", "goip_id", "TEXT NOT NULL DEFAULT ''", "VARCHAR(64)"),
  col("goippy_log", "ext", "TEXT NOT NULL DEFAULT ''", "VARCHAR(32)"),
  {
    table: "goippy_log",
    column: "created_ms",
    sqlite: "INTEGER NOT NULL DEFAULT 0",
    mysql: "BIGINT NOT NULL DEFAULT 0",
    backfill: {
      sqlite: "UPDATE goippy_log SET created_ms = " +
        "COALESCE(CAST(strftime('%s', created_at) AS INTEGER), 0) * 1000",
      mysql: "UPDATE goippy_log SET created_ms = " +
        "COALESCE(UNIX_TIMESTAMP(created_at), 0) * 1000",
    },
  },
  {
    // Rows of the original program are finished calls: close them so a
    // HANGUP never completes one of them.
    table: "goippy_calls",
    column: "ended_ms",
    sqlite: "INTEGER",
    mysql: "BIGINT NULL",
    backfill: {
      sqlite: "UPDATE goippy_calls SET ended_ms = COALESCE(ts, 0) * 1000",
      mysql: "UPDATE goippy_calls SET ended_ms = COALESCE(ts, 0) * 1000",
    },
  },
];

function col(
  table: string,
  column: string,
  sqlite: string,
  mysqlType: string,
): AddedColumn {
  const def = sqlite.replace(/^\w+/, "");
  return { table, column, sqlite, mysql: mysqlType + def };
}

/** Indexes on the original tables: `[table, name, columns]`. */
export const ADDED_INDEXES: [string, string, string][] = [
  ["goippy_log", "goippy_log_created", "created_ms"],
  ["goippy_calls", "goippy_calls_open", "goip_id, ended_ms"],
];

/** `CREATE TABLE IF NOT EXISTS` statements of the new tables (meta first). */
export function newTables(ddl: Ddl): string[] {
  const { id, int, intNull, text, tableOptions: tail } = ddl;
  const key = (chars: number) => ddl.key(chars);
  const after: string[] = [];
  const indexes = (table: string, list: [string, string][]) => {
    const idx = ddl.indexes(table, list);
    after.push(...idx.after);
    return idx.inline;
  };
  return [
    `CREATE TABLE IF NOT EXISTS goippy_meta (
      meta_key ${key(64)} PRIMARY KEY,
      meta_value ${key(255)})${tail}`,
    `CREATE TABLE IF NOT EXISTS goippy_receive_seen (
      goip_id ${key(64)},
      n ${int},
      seen_ms ${int},
      PRIMARY KEY (goip_id, n))${tail}`,
    `CREATE TABLE IF NOT EXISTS goippy_sendid (
      goip_id ${key(64)} PRIMARY KEY,
      last_id ${int})${tail}`,
    `CREATE TABLE IF NOT EXISTS goippy_inbox (
      ${id},
      created_ms ${int},
      kind ${key(16)},
      from_jid ${text},
      to_jid ${text},
      body ${text},
      ref_id ${text},
      goip_id ${key(64)},
      done_ms ${intNull}
      ${
      indexes("goippy_inbox", [["goippy_inbox_pending", "done_ms, id"]])
    })${tail}`,
    `CREATE TABLE IF NOT EXISTS goippy_outbox (
      ${id},
      created_ms ${int},
      updated_ms ${int},
      ext ${key(32)},
      goip_id ${key(64)},
      kind ${key(8)},
      dest_num ${text},
      body ${text},
      from_jid ${text},
      to_jid ${text},
      stanza_id ${text},
      want_receipt ${int},
      origin ${key(8)},
      state ${key(16)},
      sendid ${intNull},
      sms_no ${intNull},
      attempts ${int},
      error_text ${text},
      result_text ${text}
      ${
      indexes("goippy_outbox", [
        ["goippy_outbox_state", "state, goip_id, id"],
        ["goippy_outbox_sms_no", "goip_id, sms_no"],
      ])
    })${tail}`,
    ...after,
  ];
}
