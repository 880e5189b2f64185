/**
 * The SQLite store: {@linkcode SqlStore} over `node:sqlite`.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { SqlStore, type SqlStoreOptions } from "./sql_store.ts";
import { SqliteDriver, type SqliteDriverOptions } from "./sqlite_driver.ts";
import { SqliteWorkerDriver } from "./sqlite_worker_driver.ts";
import type { IncomingSms, LineState, Store } from "./types.ts";

/** Open (creating when missing) the SQLite database at `path`; call `migrate()` next. */
export function openSqliteStore(
  path: string,
  log?: Logger,
  opts?: SqliteDriverOptions & SqlStoreOptions,
): Store {
  return new SqlStore(new SqliteDriver(path, opts), log, opts);
}

/**
 * {@linkcode openSqliteStore} with the connection in a worker thread (the
 * daemon: statements and COMMIT fsyncs never stall its event loop).
 */
export async function openSqliteWorkerStore(
  path: string,
  log?: Logger,
  opts?: SqliteDriverOptions & SqlStoreOptions,
): Promise<Store> {
  return new SqliteThreadStore(
    await SqliteWorkerDriver.open(path, opts),
    log,
    opts,
  );
}

/**
 * The store over {@linkcode SqliteWorkerDriver}: the transactions of many
 * statements on the hot paths (a batch of RECEIVEs, a batch of line states:
 * one to three statements per line) run whole in the worker, one round trip
 * instead of one per statement; everything else as in {@linkcode SqlStore}.
 */
class SqliteThreadStore extends SqlStore {
  #driver: SqliteWorkerDriver;
  #now: () => number;
  #events = false;

  constructor(
    driver: SqliteWorkerDriver,
    log?: Logger,
    opts: SqlStoreOptions = {},
  ) {
    super(driver, log, opts);
    this.#driver = driver;
    this.#now = opts.now ?? Date.now;
  }

  override storeIncomingBatch(
    list: IncomingSms[],
    dedupeWindowMs: number,
    nowMs?: number,
  ): Promise<("stored" | "duplicate")[]> {
    return this.#driver.call("storeIncomingBatch", [
      list,
      dedupeWindowMs,
      nowMs ?? this.#now(),
      this.#events,
    ]);
  }

  override saveLineStates(list: LineState[]): Promise<void> {
    return this.#driver.call("saveLineStates", [list]);
  }

  override recordWebhookEvents(on: boolean): void {
    this.#events = on;
    super.recordWebhookEvents(on);
  }
}
