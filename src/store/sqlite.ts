/**
 * The SQLite store: {@linkcode SqlStore} over `node:sqlite`.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { SqlStore, type SqlStoreOptions } from "./sql_store.ts";
import { SqliteDriver, type SqliteDriverOptions } from "./sqlite_driver.ts";
import { SqliteWorkerDriver } from "./sqlite_worker_driver.ts";
import type { Store } from "./types.ts";

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
  return new SqlStore(await SqliteWorkerDriver.open(path, opts), log, opts);
}
