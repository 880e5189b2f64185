/**
 * {@linkcode SqlDriver} over `node:sqlite`'s `DatabaseSync`.
 *
 * Pragmas: WAL (readers never block the writer; the CLI and the daemon share
 * the file), a short `busy_timeout` plus an asynchronous retry for up to
 * {@linkcode SQLITE_BUSY_TIMEOUT_MS} when another connection holds the write
 * lock (a synchronous wait alone would block the event loop, and would
 * deadlock two stores of one process on the same file),
 * `synchronous=FULL` (a committed SMS survives a power cut before it is
 * acknowledged to the GoIP). Statements are prepared once per instance.
 * `DatabaseSync` is synchronous, so callers of one instance are serialized by
 * a per-instance lock: a transaction never sees another caller's statements.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import type {
  Ddl,
  Param,
  Row,
  RunResult,
  SqlConn,
  SqlDriver,
  TxOptions,
} from "./sql_driver.ts";
import { SqliteCheckpointer } from "./sqlite_checkpointer.ts";

/** Milliseconds a writer waits, in all, for another connection's lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** Back to SQLite's default automatic checkpoint (every 1,000 WAL pages). */
export const AUTO_CHECKPOINT_ON = "PRAGMA wal_autocheckpoint = 1000";

/** Milliseconds SQLite itself waits (blocking) before reporting busy. */
const SYNC_BUSY_MS = 50;

/** Options for {@linkcode SqliteDriver}. */
export interface SqliteDriverOptions {
  /** `synchronous` pragma; FULL unless told otherwise (benchmarks). */
  synchronous?: "FULL" | "NORMAL" | "OFF";
  /**
   * Checkpoint the WAL in a worker every this many ms instead of inside a
   * COMMIT on this thread (the daemon: its event loop must keep reading UDP).
   * Ignored for `:memory:`.
   */
  checkpointEveryMs?: number;
}

/** Column types of SQLite tables. */
export const SQLITE_DDL: Ddl = {
  id: "id INTEGER PRIMARY KEY AUTOINCREMENT",
  key: () => "TEXT NOT NULL",
  int: "INTEGER NOT NULL",
  intNull: "INTEGER",
  text: "TEXT NOT NULL",
  tableOptions: "",
  indexes: (table, list) => ({
    inline: "",
    after: list.map(([name, cols]) =>
      `CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${cols})`
    ),
  }),
};

/** A SQLite database file (or `:memory:`). */
export class SqliteDriver implements SqlDriver {
  readonly dialect = "sqlite" as const;
  readonly insertIgnore = "INSERT OR IGNORE";
  /** Transactions run one at a time (BEGIN IMMEDIATE): nothing to lock. */
  readonly forUpdate = "";
  readonly ddl = SQLITE_DDL;
  #db: DatabaseSync;
  #stmts = new Map<string, StatementSync>();
  #lock: Promise<unknown> = Promise.resolve();
  #conn: SqlConn;
  #checkpointer: SqliteCheckpointer | null = null;

  /**
   * Open `path`, or drive `db`, a connection opened already (with
   * {@linkcode openSqliteDatabase}; `opts` then changes nothing).
   */
  constructor(path: string | DatabaseSync, opts: SqliteDriverOptions = {}) {
    if (typeof path !== "string") {
      this.#db = path;
    } else {
      this.#db = openSqliteDatabase(path, opts);
    }
    if (typeof path === "string" && checkpointsInWorker(path, opts)) {
      this.#checkpointer = new SqliteCheckpointer(
        path,
        opts.checkpointEveryMs!,
        // Without the worker the WAL would grow for ever.
        () => void this.#autoCheckpoint(),
      );
    }
    this.#conn = {
      all: (sql, params) => Promise.resolve(this.#all(sql, params)),
      run: (sql, params) => Promise.resolve(this.#run(sql, params)),
      exec: (sql) => Promise.resolve(this.#db.exec(sql)),
    };
  }

  all(sql: string, params?: Param[]): Promise<Row[]> {
    return this.#locked(() => this.#all(sql, params));
  }

  run(sql: string, params?: Param[]): Promise<RunResult> {
    return this.#locked(() => whenFree(() => this.#run(sql, params)));
  }

  exec(sql: string): Promise<void> {
    return this.#locked(() => whenFree(() => this.#db.exec(sql)));
  }

  /** One transaction at a time (BEGIN IMMEDIATE): `opts` changes nothing. */
  transaction<T>(
    fn: (conn: SqlConn) => Promise<T>,
    _opts?: TxOptions,
  ): Promise<T> {
    return this.#locked(async () => {
      await whenFree(() => this.#db.exec("BEGIN IMMEDIATE"));
      try {
        const result = await fn(this.#conn);
        this.#db.exec("COMMIT");
        return result;
      } catch (err) {
        try {
          this.#db.exec("ROLLBACK");
        } catch {
          // The transaction may already be gone (e.g. SQLITE_FULL).
        }
        throw err;
      }
    });
  }

  isUniqueViolation(err: unknown): boolean {
    return err instanceof Error && /UNIQUE constraint failed/.test(err.message);
  }

  upsert(insert: string, key: string, set: string): string {
    return `${insert} ON CONFLICT (${key}) DO UPDATE SET ${set}`;
  }

  /**
   * Null: without round trips one prepared statement per row is cheaper
   * than the JSON form (13 ms against 30 ms for 1,666 line states).
   */
  jsonRows(): Promise<null> {
    return Promise.resolve(null);
  }

  async columns(c: SqlConn, table: string): Promise<string[]> {
    const rows = await c.all("SELECT name AS c FROM pragma_table_info(?)", [
      table,
    ]);
    return rows.map((r) => String(r.c));
  }

  async hasIndex(c: SqlConn, _table: string, name: string): Promise<boolean> {
    const rows = await c.all(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?",
      [name],
    );
    return rows.length > 0;
  }

  /** The migration's transaction (BEGIN IMMEDIATE) already excludes others. */
  migrationLock<T>(_c: SqlConn, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** SQLite stores text as UTF-8 whatever the table: nothing to do. */
  upgradeCharset(_c: SqlConn): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.#checkpointer?.stop();
    this.#checkpointer = null;
    return this.#locked(() => {
      this.#stmts.clear();
      if (this.#db.isOpen) this.#db.close();
    });
  }

  #autoCheckpoint(): Promise<void> {
    this.#checkpointer = null;
    return this.#locked(() => {
      if (this.#db.isOpen) this.#db.exec(AUTO_CHECKPOINT_ON);
    });
  }

  #locked<T>(fn: () => T | Promise<T>): Promise<T> {
    const next = this.#lock.then(fn);
    this.#lock = next.catch(() => {});
    return next;
  }

  #stmt(sql: string): StatementSync {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  #all(sql: string, params: Param[] = []): Row[] {
    return this.#stmt(sql).all(...params.map(bindParam)) as Row[];
  }

  #run(sql: string, params: Param[] = []): RunResult {
    const r = this.#stmt(sql).run(...params.map(bindParam));
    return { changes: Number(r.changes), lastId: Number(r.lastInsertRowid) };
  }
}

/**
 * Open `path` with the driver's pragmas (WAL, `synchronous`, a short
 * blocking busy wait; no automatic checkpoints when a worker runs them).
 */
export function openSqliteDatabase(
  path: string,
  opts: SqliteDriverOptions = {},
): DatabaseSync {
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${SYNC_BUSY_MS}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${opts.synchronous ?? "FULL"}`);
    if (checkpointsInWorker(path, opts)) {
      db.exec("PRAGMA wal_autocheckpoint = 0");
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Whether `opts` asks for the checkpoint worker (never for `:memory:`). */
export function checkpointsInWorker(
  path: string,
  opts: SqliteDriverOptions,
): boolean {
  return !!opts.checkpointEveryMs && path !== ":memory:" && path !== "";
}

/** Run `fn`, retrying while the database is locked by another connection. */
export async function whenFree<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (let wait = 2;; wait = Math.min(wait * 2, 50)) {
    try {
      return fn();
    } catch (err) {
      const busy = err instanceof Error &&
        /database is locked|SQLITE_BUSY/.test(err.message);
      if (!busy || Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
  }
}

/** A parameter as `node:sqlite` binds it (booleans as 0/1). */
export function bindParam(p: Param): string | number | null {
  return typeof p === "boolean" ? (p ? 1 : 0) : p;
}
