/**
 * {@linkcode SqlDriver} over a `mysql2/promise` pool (MySQL or MariaDB).
 *
 * Every statement is prepared (`execute`, cached per pooled connection);
 * DDL goes through `query`. The connection charset is utf8mb4, so emoji and
 * Cyrillic round-trip. A transaction holds one pooled connection until it
 * commits. The pool drops dead connections and opens new ones, so the store
 * recovers by itself after the server restarts.
 *
 * @module
 */

import mysql from "mysql2/promise";
import type { Logger } from "../log.ts";
import type {
  Ddl,
  Param,
  Row,
  RunResult,
  SqlConn,
  SqlDriver,
  TxOptions,
} from "./sql_driver.ts";

/** Where the MySQL/MariaDB server is. */
export interface MysqlOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Pool size (default 4). */
  connectionLimit?: number;
}

/** Times a transaction chosen as a deadlock victim is run. */
const DEADLOCK_RETRIES = 5;

/** Longest wait (ms) before running a deadlock victim again. */
const DEADLOCK_BACKOFF_MAX_MS = 200;

type Executor = Pick<mysql.Pool, "execute" | "query">;

const TABLE_OPTIONS =
  "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

const DDL: Ddl = {
  id: "id BIGINT AUTO_INCREMENT PRIMARY KEY",
  key: (chars) => `VARCHAR(${chars}) NOT NULL`,
  int: "BIGINT NOT NULL",
  intNull: "BIGINT NULL",
  text: "MEDIUMTEXT NOT NULL",
  tableOptions: ` ${TABLE_OPTIONS}`,
  indexes: (_table, list) => ({
    inline: list.map(([name, cols]) => `, KEY ${name} (${cols})`).join(""),
    after: [],
  }),
};

/** A MySQL/MariaDB database. */
export class MysqlDriver implements SqlDriver {
  readonly dialect = "mysql" as const;
  readonly insertIgnore = "INSERT IGNORE";
  readonly forUpdate = " FOR UPDATE";
  readonly ddl = DDL;
  #pool: mysql.Pool;
  #log?: Logger;
  /** Whether the server has JSON_TABLE (asked once). */
  #jsonTable?: Promise<boolean>;

  /** `log` hears once when the server is too old for batch statements. */
  constructor(opts: MysqlOptions, log?: Logger) {
    this.#log = log;
    this.#pool = mysql.createPool({
      host: opts.host,
      port: opts.port,
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
    });
  }

  all(sql: string, params?: Param[]): Promise<Row[]> {
    return all(this.#pool, sql, params);
  }

  run(sql: string, params?: Param[]): Promise<RunResult> {
    return run(this.#pool, sql, params);
  }

  exec(sql: string): Promise<void> {
    return exec(this.#pool, sql);
  }

  /**
   * InnoDB may pick a transaction as a deadlock victim (e.g. two RECEIVE
   * copies at once); it is then rolled back whole and safe to run again.
   */
  async transaction<T>(
    fn: (conn: SqlConn) => Promise<T>,
    opts: TxOptions = {},
  ): Promise<T> {
    for (let attempt = 1;; attempt++) {
      try {
        return await this.#transaction(fn, opts);
      } catch (err) {
        const code = (err as { code?: string })?.code;
        if (code !== "ER_LOCK_DEADLOCK" || attempt >= DEADLOCK_RETRIES) {
          throw err;
        }
        await new Promise((r) => setTimeout(r, deadlockBackoffMs(attempt)));
      }
    }
  }

  async #transaction<T>(
    fn: (conn: SqlConn) => Promise<T>,
    opts: TxOptions,
  ): Promise<T> {
    const c = await this.#pool.getConnection();
    let broken = false;
    try {
      // Applies to the next transaction of this connection only.
      if (opts.readCommitted) {
        await c.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
      }
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
    return await this.#hasJsonTable() ? jsonTable : null;
  }

  #hasJsonTable(): Promise<boolean> {
    this.#jsonTable ??= this.all("SELECT VERSION() AS v").then((rows) => {
      const v = String(rows[0]?.v ?? "");
      const ok = jsonTableSupported(v);
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

  async columns(c: SqlConn, table: string): Promise<string[]> {
    const rows = await c.all(
      "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS " +
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
      [table],
    );
    return rows.map((r) => String(r.c));
  }

  async hasIndex(c: SqlConn, table: string, name: string): Promise<boolean> {
    const rows = await c.all(
      "SELECT INDEX_NAME FROM information_schema.STATISTICS " +
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?",
      [table, name],
    );
    return rows.length > 0;
  }

  /**
   * DDL commits implicitly, so the transaction alone does not keep a second
   * process (the CLI next to the daemon) from migrating at the same time: a
   * named lock does.
   */
  async migrationLock<T>(c: SqlConn, fn: () => Promise<T>): Promise<T> {
    const got = await c.all("SELECT GET_LOCK('goippy_migrate', 60) AS ok");
    if (Number(got[0]?.ok) !== 1) {
      throw new Error("could not get the migration lock in 60 s");
    }
    try {
      return await fn();
    } finally {
      await c.all("SELECT RELEASE_LOCK('goippy_migrate') AS ok");
    }
  }

  /** Tables of the original program may be latin1/utf8mb3: make them utf8mb4. */
  async upgradeCharset(c: SqlConn): Promise<void> {
    const rows = await c.all(
      "SELECT TABLE_NAME AS t, TABLE_COLLATION AS k FROM information_schema.TABLES " +
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'goippy\\_%'",
    );
    for (const r of rows) {
      if (r.k === "utf8mb4_bin") continue;
      await c.exec(
        `ALTER TABLE ${r.t} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
      );
    }
    // An SMS body can exceed TEXT's 64 KiB in utf8mb4 bytes.
    const body = await c.all(
      "SELECT DATA_TYPE AS d FROM information_schema.COLUMNS WHERE " +
        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'goippy_log' AND COLUMN_NAME = 'body'",
    );
    if (body[0]?.d === "text") {
      await c.exec("ALTER TABLE goippy_log MODIFY body MEDIUMTEXT");
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** `JSON_TABLE` over the JSON array parameter, aliased `j`. */
function jsonTable(columns: [string, string][]): string {
  const list = columns.map(([k, type]) => `${k} ${type} PATH '$.${k}'`);
  return `JSON_TABLE(?, '$[*]' COLUMNS (${list.join(", ")})) AS j`;
}

/**
 * Whether a MySQL/MariaDB server has `JSON_TABLE` (MySQL 8.0.4+, MariaDB
 * 10.6+), from what `VERSION()` says. Pure.
 */
export function jsonTableSupported(version: string): boolean {
  const at = (re: RegExp) => {
    const m = re.exec(version);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  };
  const atLeast = (v: number[] | null, min: number[]) => {
    if (!v) return false;
    for (let i = 0; i < 3; i++) {
      if (v[i] !== min[i]) return v[i] > min[i];
    }
    return true;
  };
  // MariaDB may prefix "5.5.5-" for old clients: the real version is before
  // "-MariaDB".
  const maria = at(/(\d+)\.(\d+)\.(\d+)-MariaDB/i);
  if (maria) return atLeast(maria, [10, 6, 0]);
  if (/mariadb/i.test(version)) return false;
  return atLeast(at(/^(\d+)\.(\d+)\.(\d+)/), [8, 0, 4]);
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
