/**
 * The small SQL surface both dialects provide, so that one store
 * implementation ({@linkcode SqlStore}) serves SQLite and MySQL alike.
 *
 * @module
 */

import type { Dialect } from "./types.ts";

/** A row as the driver returns it: column name → value. */
export type Row = Record<string, unknown>;

/** A parameter value; booleans are stored as 0/1. */
export type Param = string | number | boolean | null;

/** What a write statement did. */
export interface RunResult {
  /** Rows inserted/updated/deleted. */
  changes: number;
  /** The AUTO_INCREMENT / rowid of an INSERT (0 when none). */
  lastId: number;
}

/** One connection (or a transaction on one). */
export interface SqlConn {
  /** Run a query (prepared, cached) and return its rows. */
  all(sql: string, params?: Param[]): Promise<Row[]>;
  /** Run a write statement (prepared, cached). */
  run(sql: string, params?: Param[]): Promise<RunResult>;
  /** Run DDL or other unprepared SQL without parameters. */
  exec(sql: string): Promise<void>;
}

/** How a transaction takes its locks. */
export interface TxOptions {
  /**
   * MySQL/MariaDB: READ COMMITTED instead of REPEATABLE READ, so a locking
   * read of a missing row takes no gap lock (two transactions holding the
   * same gap and then inserting into it deadlock). SQLite runs transactions
   * one at a time anyway and ignores it.
   */
  readCommitted?: boolean;
}

/** A database: connections, transactions and dialect facts. */
export interface SqlDriver extends SqlConn {
  readonly dialect: Dialect;
  /**
   * Run `fn` in one transaction (SQLite: BEGIN IMMEDIATE; MySQL: a dedicated
   * pooled connection). Commits when `fn` resolves, rolls back when it throws.
   */
  transaction<T>(
    fn: (conn: SqlConn) => Promise<T>,
    opts?: TxOptions,
  ): Promise<T>;
  /** True when `err` is a unique-key violation. */
  isUniqueViolation(err: unknown): boolean;
  close(): Promise<void>;
}
