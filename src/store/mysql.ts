/**
 * The MySQL/MariaDB store: {@linkcode SqlStore} over a `mysql2` pool.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { MysqlDriver, type MysqlOptions } from "./mysql_driver.ts";
import { SqlStore, type SqlStoreOptions } from "./sql_store.ts";
import type { Store } from "./types.ts";

export type { MysqlOptions } from "./mysql_driver.ts";

/**
 * Connect to MySQL/MariaDB and check the connection (throws with the
 * server's reason when it fails); call `migrate()` next.
 */
export async function openMysqlStore(
  opts: MysqlOptions,
  log?: Logger,
  storeOpts?: SqlStoreOptions,
): Promise<Store> {
  const store = new SqlStore(new MysqlDriver(opts, log), log, storeOpts);
  try {
    await store.ping();
  } catch (err) {
    await store.close().catch(() => {});
    throw new Error(
      `cannot connect to MySQL at ${opts.host}:${opts.port} as ${opts.user} ` +
        `(database ${opts.database}): ${(err as Error).message}`,
      { cause: err },
    );
  }
  return store;
}
