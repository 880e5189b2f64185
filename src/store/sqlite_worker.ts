/**
 * The worker of {@linkcode SqliteWorkerDriver}: it owns the `DatabaseSync`
 * connection, its pragmas and prepared statements, so statements and the
 * COMMIT's fsync run on this thread and never stall the daemon's event loop.
 *
 * Messages in: a {@linkcode SqliteRequest} (a list of ops, run in order, one
 * request after the other: a statement, or a whole store function such as a
 * batch of RECEIVEs). Messages out: one {@linkcode SqliteReply} per
 * request, in the same order. An op that meets another connection's write
 * lock is retried (asynchronously, so the worker's timers keep running) for
 * at most {@linkcode SQLITE_BUSY_TIMEOUT_MS}, then fails like any other.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Param, Row, RunResult } from "./sql_driver.ts";
import {
  bindParam,
  openSqliteDatabase,
  SqliteDriver,
  type SqliteDriverOptions,
  whenFree,
} from "./sqlite_driver.ts";
import { CALLS, type SqliteCalls } from "./sqlite_worker_calls.ts";

/** The functions {@linkcode SqliteOp} `call` can name. */
export type { SqliteCalls };

/** A call of one of {@linkcode SqliteCalls}, with its arguments. */
export type SqliteCall = {
  [K in keyof SqliteCalls]: {
    kind: "call";
    name: K;
    args: Parameters<SqliteCalls[K]>[1];
  };
}[keyof SqliteCalls];

/** Run `call` with its own argument types (TypeScript cannot pair them). */
function runCall(d: SqliteDriver, call: SqliteCall): Promise<unknown> {
  const fn = CALLS[call.name] as (d: SqliteDriver, args: unknown) => unknown;
  return Promise.resolve(fn(d, call.args));
}

/** One thing for the worker to do. */
export type SqliteOp =
  | { kind: "open"; path: string; opts: SqliteDriverOptions }
  | SqliteCall
  | { kind: "all"; sql: string; params: Param[] }
  | { kind: "run"; sql: string; params: Param[]; retry: boolean }
  | { kind: "exec"; sql: string; retry: boolean }
  | { kind: "close" };

/** The error of an op, as plain data (the fields the store code reads). */
export interface SqliteErrorData {
  message: string;
  code?: string;
  errcode?: number;
  errstr?: string;
}

/** What one op gave. */
export type SqliteResult =
  | { rows: Row[] }
  | { run: RunResult }
  | { value: unknown }
  | { done: true }
  | { error: SqliteErrorData };

/** A request: ops run in order; each gets its own result. */
export interface SqliteRequest {
  ops: SqliteOp[];
}

/** The results of one request, in the order of its ops. */
export interface SqliteReply {
  results: SqliteResult[];
}

/** The connection, its statements, and a driver over it for `call`s. */
interface Conn {
  db: DatabaseSync;
  stmts: Map<string, StatementSync>;
  driver: SqliteDriver;
}

function stmt(c: Conn, sql: string): StatementSync {
  let s = c.stmts.get(sql);
  if (!s) {
    s = c.db.prepare(sql);
    c.stmts.set(sql, s);
  }
  return s;
}

function errorData(err: unknown): SqliteErrorData {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; errcode?: unknown };
  const out: SqliteErrorData = { message: e.message };
  if (typeof e.code === "string") out.code = e.code;
  if (typeof e.errcode === "number") out.errcode = e.errcode;
  const errstr = (e as { errstr?: unknown }).errstr;
  if (typeof errstr === "string") out.errstr = errstr;
  return out;
}

/** Run one op on `state` (which holds the connection once opened). */
async function runOp(
  state: { conn: Conn | null },
  op: SqliteOp,
): Promise<SqliteResult> {
  if (op.kind === "open") {
    const db = openSqliteDatabase(op.path, op.opts);
    state.conn = { db, stmts: new Map(), driver: new SqliteDriver(db) };
    return { done: true };
  }
  const c = state.conn;
  if (op.kind === "close") {
    c?.stmts.clear();
    if (c?.db.isOpen) c.db.close();
    state.conn = null;
    return { done: true };
  }
  if (!c) throw new Error("the SQLite database is not open");
  switch (op.kind) {
    case "call":
      return { value: await runCall(c.driver, op) };
    case "all":
      return {
        rows: stmt(c, op.sql).all(...op.params.map(bindParam)) as Row[],
      };
    case "run": {
      const go = () => {
        const r = stmt(c, op.sql).run(...op.params.map(bindParam));
        return {
          changes: Number(r.changes),
          lastId: Number(r.lastInsertRowid),
        };
      };
      return { run: op.retry ? await whenFree(go) : go() };
    }
    case "exec": {
      const go = () => c.db.exec(op.sql);
      if (op.retry) await whenFree(go);
      else go();
      return { done: true };
    }
  }
}

/** Answer requests one after the other (their order is the transaction's). */
function serve(): void {
  const state: { conn: Conn | null } = { conn: null };
  let queue: Promise<void> = Promise.resolve();
  self.onmessage = (e: MessageEvent<SqliteRequest>) => {
    const { ops } = e.data;
    queue = queue.then(async () => {
      const results: SqliteResult[] = [];
      for (const op of ops) {
        try {
          results.push(await runOp(state, op));
        } catch (err) {
          results.push({ error: errorData(err) });
        }
      }
      const reply: SqliteReply = { results };
      self.postMessage(reply);
    });
  };
}

serve();
