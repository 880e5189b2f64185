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

/** Column types and table options of the tables goippy creates. */
export interface Ddl {
  /** The column `id`: an auto-increment integer primary key. */
  readonly id: string;
  /** A NOT NULL string column of at most `chars` characters. */
  key(chars: number): string;
  /** NOT NULL 64-bit integer. */
  readonly int: string;
  /** Nullable 64-bit integer. */
  readonly intNull: string;
  /** NOT NULL text of any length (an SMS body, a JID). */
  readonly text: string;
  /** What follows the closing parenthesis of `CREATE TABLE`. */
  readonly tableOptions: string;
  /**
   * Secondary indexes `[name, columns]` of a new table: `inline` goes inside
   * its `CREATE TABLE` (after the last column), `after` runs after it.
   */
  indexes(
    table: string,
    list: [name: string, columns: string][],
  ): { inline: string; after: string[] };
}

/**
 * A database: connections, transactions, and everything in which the SQL
 * dialects differ, so that the `sql_*.ts` files are written once.
 */
export interface SqlDriver extends SqlConn {
  readonly dialect: Dialect;
  /** An INSERT that skips rows whose unique key exists: `${insertIgnore} INTO …`. */
  readonly insertIgnore: string;
  /**
   * Appended to a SELECT inside a transaction: lock the rows read for
   * writing until the commit ("" where transactions run one at a time).
   */
  readonly forUpdate: string;
  /** Types and options for `CREATE TABLE`. */
  readonly ddl: Ddl;
  /**
   * `insert` (`INSERT INTO t (…) VALUES (…)`) that, when a row with the same
   * unique `key` column exists, applies `set` (`col = expr, …`, reading the
   * row's current columns by name) to it instead.
   */
  upsert(insert: string, key: string, set: string): string;
  /**
   * A JSON array parameter (`?`) as a table aliased `j` with the typed
   * `columns` (`[name, SQL type]`, read from each element's key of that
   * name), for batch statements like `UPDATE t JOIN <jsonRows> ON …`; null
   * when the database cannot take that form or gains nothing from it
   * (asked once).
   */
  jsonRows(): Promise<((columns: [string, string][]) => string) | null>;
  /** Columns of `table` (empty when it does not exist). */
  columns(c: SqlConn, table: string): Promise<string[]>;
  /** Whether `table` has an index called `name`. */
  hasIndex(c: SqlConn, table: string, name: string): Promise<boolean>;
  /**
   * Run `fn` (inside the migration's transaction on `c`) so that no other
   * process migrates at the same time.
   */
  migrationLock<T>(c: SqlConn, fn: () => Promise<T>): Promise<T>;
  /** Bring tables of the original program to the character set goippy needs. */
  upgradeCharset(c: SqlConn): Promise<void>;
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
