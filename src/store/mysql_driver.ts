/**
 * {@linkcode SqlDriver} over a `mysql2/promise` pool (MySQL or MariaDB).
 *
 * Every statement is prepared (`execute`, cached per pooled connection);
 * DDL goes through `query`. The connection charset is utf8mb4, so emoji and
 * Cyrillic round-trip. A transaction holds one pooled connection until it
 * commits. The pool drops dead connections and opens new ones, so the store
 * recovers by itself after the server restarts.
 *
 * READ COMMITTED transactions take their connection from a second pool whose
 * sessions are set to READ COMMITTED once, when each connection opens: the
 * hottest transaction (RECEIVE) spends no round trip on its isolation level,
 * and every other statement keeps the server's default.
 *
 * @module
 */

import mysql from "mysql2/promise";
import type { Logger } from "../log.ts";
import {
  classify,
  type DbHost,
  parseDbHosts,
  serverAway,
} from "./mysql_hosts.ts";
import * as schema from "./mysql_schema.ts";
import type {
  Param,
  Row,
  RunResult,
  SqlConn,
  SqlDriver,
  TxOptions,
} from "./sql_driver.ts";

/** Where the MySQL/MariaDB server is. */
export interface MysqlOptions {
  /** One host, or a `DB_HOST` list `host[:port], …` tried in order. */
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Size of each of the two pools (default 4). */
  connectionLimit?: number;
}

/** Times work that did not happen (see {@linkcode classify}) is tried. */
const DEADLOCK_RETRIES = 5;

/** Longest wait (ms) before running a deadlock victim again. */
const DEADLOCK_BACKOFF_MAX_MS = 200;

type Executor = Pick<mysql.Pool, "execute" | "query">;

/** What a pool's `connection` event passes: mysql2's callback API. */
interface CallbackConnection {
  query(sql: string, cb: (err: unknown) => void): void;
  destroy(): void;
}

/** A MySQL/MariaDB database. */
export class MysqlDriver implements SqlDriver {
  readonly dialect = "mysql" as const;
  readonly insertIgnore = "INSERT IGNORE";
  readonly forUpdate = " FOR UPDATE";
  readonly ddl = schema.DDL;
  #pools: mysql.Pool[];
  /** Per host, connections whose sessions are READ COMMITTED. */
  #rcPools: mysql.Pool[];
  #hosts: DbHost[];
  /** Index of the server in use. */
  #at = 0;
  #log?: Logger;
  /** Whether the server has JSON_TABLE (asked once). */
  #jsonTable?: Promise<boolean>;

  /** `log` hears once when the server is too old for batch statements. */
  constructor(opts: MysqlOptions, log?: Logger) {
    this.#log = log;
    this.#hosts = parseDbHosts(opts.host, opts.port);
    if (this.#hosts.length === 0) this.#hosts = [{ host: "", port: opts.port }];
    this.#pools = this.#hosts.map((h) => this.#createPool(h, opts));
    this.#rcPools = this.#hosts.map((h) => {
      const pool = this.#createPool(h, opts);
      // Queued before anything the borrower sends on the new connection.
      // The event hands over the callback-style connection.
      pool.on("connection", (conn) => {
        const c = conn as unknown as CallbackConnection;
        c.query(
          "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
          (err) => {
            // Its next command then fails: never a transaction at another level.
            if (err) c.destroy();
          },
        );
      });
      return pool;
    });
  }

  #createPool(h: DbHost, opts: MysqlOptions): mysql.Pool {
    return mysql.createPool({
      host: h.host,
      port: h.port,
      user: opts.user,
      password: opts.password,
      database: opts.database,
      charset: "UTF8MB4_BIN",
      connectionLimit: opts.connectionLimit ?? 4,
      connectTimeout: 10_000,
      enableKeepAlive: true,
      // Whole numbers come back as JS numbers (ids and ms fit in 2^53).
      supportBigNumbers: false,
      decimalNumbers: true,
      dateStrings: true,
      timezone: "Z",
      // No stack captured at each call for errors' long stack traces: a
      // cost on every statement (several per SMS at thousands of SMS/s).
      trace: false,
    });
  }

  all(sql: string, params?: Param[]): Promise<Row[]> {
    return this.#again((p) => all(p, sql, params));
  }

  run(sql: string, params?: Param[]): Promise<RunResult> {
    return this.#again((p) => run(p, sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.#again((p) => exec(p, sql));
  }

  /**
   * InnoDB may pick a transaction as a deadlock victim (e.g. two RECEIVE
   * copies at once), and Galera aborts the loser of two conflicting
   * transactions on different nodes; either is rolled back whole and safe
   * to run again.
   */
  transaction<T>(
    fn: (conn: SqlConn) => Promise<T>,
    opts: TxOptions = {},
  ): Promise<T> {
    return this.#again((_, at) =>
      this.#transaction(
        opts.readCommitted ? this.#rcPools[at] : this.#pools[at],
        fn,
      )
    );
  }

  /**
   * Run `work` on the server in use; run it again when it did not happen
   * (bounded, jittered), on the next server when this one went away.
   */
  async #again<T>(
    work: (pool: mysql.Pool, at: number) => Promise<T>,
  ): Promise<T> {
    const tries = Math.max(DEADLOCK_RETRIES, this.#pools.length + 1);
    for (let attempt = 1;; attempt++) {
      const at = this.#at;
      try {
        return await work(this.#pools[at], at);
      } catch (err) {
        if (serverAway(err)) this.#moveOn(at, err);
        if (classify(err) === "other" || attempt >= tries) throw err;
        await new Promise((r) => setTimeout(r, deadlockBackoffMs(attempt)));
      }
    }
  }

  /** Server `from` failed: use the next one of the list (once per failure). */
  #moveOn(from: number, err: unknown): void {
    if (this.#pools.length < 2 || this.#at !== from) return;
    this.#at = (from + 1) % this.#pools.length;
    const h = (i: number) => `${this.#hosts[i].host}:${this.#hosts[i].port}`;
    this.#log?.warn(
      `store: ${h(from)} failed (${(err as Error).message ?? err}); ` +
        `using ${h(this.#at)}`,
    );
  }

  async #transaction<T>(
    pool: mysql.Pool,
    fn: (conn: SqlConn) => Promise<T>,
  ): Promise<T> {
    const c = await pool.getConnection();
    let broken = false;
    try {
      await c.beginTransaction();
      const result = await fn({
        all: (sql, params) => all(c, sql, params),
        run: (sql, params) => run(c, sql, params),
        exec: (sql) => exec(c, sql),
      });
      await c.commit();
      return result;
    } catch (err) {
      try {
        await c.rollback();
      } catch {
        broken = true; // the connection is gone; do not reuse it
      }
      throw err;
    } finally {
      if (broken) c.destroy();
      else c.release();
    }
  }

  isUniqueViolation(err: unknown): boolean {
    return (err as { code?: string })?.code === "ER_DUP_ENTRY";
  }

  upsert(insert: string, _key: string, set: string): string {
    return `${insert} ON DUPLICATE KEY UPDATE ${set}`;
  }

  async jsonRows(): Promise<((columns: [string, string][]) => string) | null> {
    return await this.#hasJsonTable() ? schema.jsonTable : null;
  }

  #hasJsonTable(): Promise<boolean> {
    this.#jsonTable ??= this.all("SELECT VERSION() AS v").then((rows) => {
      const v = String(rows[0]?.v ?? "");
      const ok = schema.jsonTableSupported(v);
      if (!ok) {
        this.#log?.info(
          `store: ${v} has no JSON_TABLE; line states are written one by one`,
        );
      }
      return ok;
    });
    // A failed question (server away) is asked again next time.
    this.#jsonTable.catch(() => this.#jsonTable = undefined);
    return this.#jsonTable;
  }

  columns(c: SqlConn, table: string): Promise<string[]> {
    return schema.columns(c, table);
  }

  hasIndex(c: SqlConn, table: string, name: string): Promise<boolean> {
    return schema.hasIndex(c, table, name);
  }

  migrationLock<T>(_c: SqlConn, fn: () => Promise<T>): Promise<T> {
    return schema.migrationLock(this, fn);
  }

  upgradeCharset(c: SqlConn): Promise<void> {
    return schema.upgradeCharset(c);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools, ...this.#rcPools].map((p) => p.end()));
  }
}

/**
 * Wait before retry `attempt` (1-based): random within a window that doubles
 * per attempt up to {@linkcode DEADLOCK_BACKOFF_MAX_MS}, so two victims do
 * not collide again in step.
 */
export function deadlockBackoffMs(
  attempt: number,
  random: () => number = Math.random,
): number {
  return random() * Math.min(DEADLOCK_BACKOFF_MAX_MS, 10 * 2 ** attempt);
}

function bind(params: Param[] = []): (string | number | null)[] {
  return params.map((p) => typeof p === "boolean" ? (p ? 1 : 0) : p);
}

async function all(e: Executor, sql: string, params?: Param[]) {
  const [rows] = await e.execute(sql, bind(params));
  return rows as Row[];
}

async function run(e: Executor, sql: string, params?: Param[]) {
  const [res] = await e.execute(sql, bind(params));
  const h = res as mysql.ResultSetHeader;
  return { changes: h.affectedRows ?? 0, lastId: Number(h.insertId ?? 0) };
}

async function exec(e: Executor, sql: string): Promise<void> {
  await e.query(sql);
}
