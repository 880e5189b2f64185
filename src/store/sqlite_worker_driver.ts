/**
 * {@linkcode SqlDriver} over `node:sqlite` with the connection in a Worker
 * (`sqlite_worker.ts`): statements, and above all the COMMIT's fsync with
 * `synchronous=FULL`, run on the worker's thread while this thread's event
 * loop keeps reading UDP. The daemon uses it; short CLI commands keep
 * {@linkcode SqliteDriver}, which has no round trips and no thread to start.
 *
 * Same pragmas, same busy handling (a short blocking wait, then retries,
 * asynchronous in the worker, for at most `SQLITE_BUSY_TIMEOUT_MS`), same
 * errors (rebuilt with their `message`, `code`, `errcode` and `errstr`) and
 * same serialization as {@linkcode SqliteDriver}: callers of one instance
 * take turns, so a transaction (BEGIN IMMEDIATE … COMMIT/ROLLBACK) never sees
 * another caller's statements. Statements issued in the same tick (e.g.
 * `Promise.all`) travel in one message, and the hottest transaction (a batch
 * of RECEIVEs) can be sent whole with {@linkcode SqliteWorkerDriver.call}.
 *
 * @module
 */

import type {
  Param,
  Row,
  RunResult,
  SqlConn,
  SqlDriver,
  TxOptions,
} from "./sql_driver.ts";
import { SqliteCheckpointer } from "./sqlite_checkpointer.ts";
import {
  AUTO_CHECKPOINT_ON,
  checkpointsInWorker,
  SQLITE_DDL,
  SqliteDriver,
  type SqliteDriverOptions,
} from "./sqlite_driver.ts";
import type {
  SqliteCall,
  SqliteCalls,
  SqliteErrorData,
  SqliteOp,
  SqliteReply,
  SqliteRequest,
  SqliteResult,
} from "./sqlite_worker.ts";

/** How long `close()` waits for the worker to close its connection. */
const CLOSE_WAIT_MS = 3000;

/** A request's op waiting for its result. */
interface Waiter {
  resolve: (r: SqliteResult) => void;
  reject: (err: Error) => void;
}

/** The dialect's SQL pieces, identical to the synchronous driver's. */
const SQLITE = SqliteDriver.prototype;

/** A SQLite database file whose connection lives in a worker. */
export class SqliteWorkerDriver implements SqlDriver {
  readonly dialect = "sqlite" as const;
  readonly insertIgnore = "INSERT OR IGNORE";
  /** Transactions run one at a time (BEGIN IMMEDIATE): nothing to lock. */
  readonly forUpdate = "";
  readonly ddl = SQLITE_DDL;
  #worker: Worker;
  /** Ops not posted yet (posted together at the end of the tick). */
  #unsent: { op: SqliteOp; waiter: Waiter }[] = [];
  /** Per posted request, its ops' waiters (replies come in order). */
  #posted: Waiter[][] = [];
  #failed: Error | null = null;
  #lock: Promise<unknown> = Promise.resolve();
  #conn: SqlConn;
  #checkpointer: SqliteCheckpointer | null = null;

  /**
   * Open `path` in a new worker; rejects (and ends the worker) when the
   * database cannot be opened.
   */
  static async open(
    path: string,
    opts: SqliteDriverOptions = {},
  ): Promise<SqliteWorkerDriver> {
    const d = new SqliteWorkerDriver();
    try {
      const { synchronous, checkpointEveryMs } = opts;
      await d.#send({
        kind: "open",
        path,
        opts: { synchronous, checkpointEveryMs },
      });
    } catch (err) {
      d.#end(new Error("database is not open"));
      throw err;
    }
    if (checkpointsInWorker(path, opts)) {
      d.#checkpointer = new SqliteCheckpointer(
        path,
        opts.checkpointEveryMs!,
        // Without the checkpoint worker the WAL would grow for ever.
        () => void d.#autoCheckpoint(),
      );
    }
    return d;
  }

  private constructor() {
    this.#worker = new Worker(
      new URL("./sqlite_worker.ts", import.meta.url),
      { type: "module" },
    );
    this.#worker.addEventListener("message", (e) => {
      const { results } = (e as MessageEvent<SqliteReply>).data;
      const waiters = this.#posted.shift() ?? [];
      waiters.forEach((w, i) => w.resolve(results[i]));
    });
    this.#worker.addEventListener("error", (e) => {
      e.preventDefault();
      this.#end(new Error(`SQLite worker failed: ${e.message}`));
    });
    this.#conn = {
      all: (sql, params) => this.#all(sql, params),
      run: (sql, params) => this.#run(sql, params, false),
      exec: (sql) => this.#exec(sql, false),
    };
  }

  all(sql: string, params?: Param[]): Promise<Row[]> {
    return this.#locked(() => this.#all(sql, params));
  }

  run(sql: string, params?: Param[]): Promise<RunResult> {
    return this.#locked(() => this.#run(sql, params, true));
  }

  exec(sql: string): Promise<void> {
    return this.#locked(() => this.#exec(sql, true));
  }

  /** One transaction at a time (BEGIN IMMEDIATE): `opts` changes nothing. */
  transaction<T>(
    fn: (conn: SqlConn) => Promise<T>,
    _opts?: TxOptions,
  ): Promise<T> {
    return this.#locked(async () => {
      await this.#exec("BEGIN IMMEDIATE", true);
      try {
        const result = await fn(this.#conn);
        await this.#exec("COMMIT", false);
        return result;
      } catch (err) {
        try {
          await this.#exec("ROLLBACK", false);
        } catch {
          // The transaction may already be gone (e.g. SQLITE_FULL).
        }
        throw err;
      }
    });
  }

  /**
   * Run one of the store functions the worker knows ({@linkcode SqliteCalls})
   * whole in the worker, over a {@linkcode SqliteDriver} on its connection:
   * one message instead of one per statement. It is posted in its turn
   * (after a transaction under way), and the worker runs it after the
   * requests posted before it; the next caller posts without waiting for
   * its answer, so calls from many callers keep the worker busy.
   */
  call<K extends keyof SqliteCalls>(
    name: K,
    args: Parameters<SqliteCalls[K]>[1],
  ): Promise<Awaited<ReturnType<SqliteCalls[K]>>> {
    type Result = Awaited<ReturnType<SqliteCalls[K]>>;
    const op = { kind: "call", name, args } as SqliteCall;
    let reply!: Promise<SqliteResult>;
    // Its turn is only the posting: the worker runs requests in the order
    // posted, each call whole, so the next caller may post at once.
    const posted = this.#locked(() => {
      reply = this.#send(op);
      reply.catch(() => {}); // handled by the caller, once posted
      return Promise.resolve();
    });
    return posted.then(() => reply).then((r) =>
      ("value" in r ? r.value : undefined) as Result
    );
  }

  isUniqueViolation(err: unknown): boolean {
    return SQLITE.isUniqueViolation(err);
  }

  upsert(insert: string, key: string, set: string): string {
    return SQLITE.upsert(insert, key, set);
  }

  jsonRows(): ReturnType<SqlDriver["jsonRows"]> {
    return SQLITE.jsonRows();
  }

  columns(c: SqlConn, table: string): Promise<string[]> {
    return SQLITE.columns(c, table);
  }

  hasIndex(c: SqlConn, table: string, name: string): Promise<boolean> {
    return SQLITE.hasIndex(c, table, name);
  }

  /** The migration's transaction (BEGIN IMMEDIATE) already excludes others. */
  migrationLock<T>(_c: SqlConn, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** SQLite stores text as UTF-8 whatever the table: nothing to do. */
  upgradeCharset(_c: SqlConn): Promise<void> {
    return Promise.resolve();
  }

  /** Stop the checkpointer, close the connection and end the worker. */
  async close(): Promise<void> {
    await this.#checkpointer?.stop();
    this.#checkpointer = null;
    return this.#locked(async () => {
      if (this.#failed) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      });
      try {
        await Promise.race([this.#send({ kind: "close" }), late]);
      } catch {
        // Ending the worker closes its connection anyway.
      } finally {
        clearTimeout(timer);
      }
      this.#end(new Error("database is not open"));
    });
  }

  #autoCheckpoint(): Promise<void> {
    this.#checkpointer = null;
    return this.#locked(() => this.#exec(AUTO_CHECKPOINT_ON, false))
      .catch(() => {});
  }

  /** End the worker; every op not answered yet, and every later one, fails. */
  #end(err: Error): void {
    if (this.#failed) return;
    this.#failed = err;
    this.#worker.terminate();
    const waiters = [
      ...this.#posted.flat(),
      ...this.#unsent.map((u) => u.waiter),
    ];
    this.#posted = [];
    this.#unsent = [];
    for (const w of waiters) w.reject(err);
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#lock.then(fn);
    this.#lock = next.catch(() => {});
    return next;
  }

  async #all(sql: string, params: Param[] = []): Promise<Row[]> {
    const r = await this.#send({ kind: "all", sql, params });
    return "rows" in r ? r.rows : [];
  }

  async #run(
    sql: string,
    params: Param[] = [],
    retry: boolean,
  ): Promise<RunResult> {
    const r = await this.#send({ kind: "run", sql, params, retry });
    return "run" in r ? r.run : { changes: 0, lastId: 0 };
  }

  async #exec(sql: string, retry: boolean): Promise<void> {
    await this.#send({ kind: "exec", sql, retry });
  }

  /** Queue `op`; the ops queued in one tick are posted as one request. */
  #send(op: SqliteOp): Promise<SqliteResult> {
    if (this.#failed) return Promise.reject(this.#failed);
    const { promise, resolve, reject } = Promise.withResolvers<
      SqliteResult
    >();
    const waiter: Waiter = {
      resolve: (r) => "error" in r ? reject(toError(r.error)) : resolve(r),
      reject,
    };
    if (this.#unsent.length === 0) queueMicrotask(() => this.#flush());
    this.#unsent.push({ op, waiter });
    return promise;
  }

  #flush(): void {
    if (this.#failed || this.#unsent.length === 0) return;
    const batch = this.#unsent;
    this.#unsent = [];
    const request: SqliteRequest = { ops: batch.map((b) => b.op) };
    try {
      this.#worker.postMessage(request);
    } catch (err) {
      // A parameter that cannot be cloned: nothing was sent.
      for (const b of batch) b.waiter.reject(err as Error);
      return;
    }
    this.#posted.push(batch.map((b) => b.waiter));
  }
}

/** The worker's error as the `Error` node:sqlite would have thrown here. */
function toError(d: SqliteErrorData): Error {
  const err = new Error(d.message) as Error & Partial<SqliteErrorData>;
  if (d.code !== undefined) err.code = d.code;
  if (d.errcode !== undefined) err.errcode = d.errcode;
  if (d.errstr !== undefined) err.errstr = d.errstr;
  return err;
}
