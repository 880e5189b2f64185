/**
 * Open the store the config asks for.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Logger } from "../log.ts";
import { openMysqlStore } from "./mysql.ts";
import { openSqliteStore, openSqliteWorkerStore } from "./sqlite.ts";
import { sqlitePathProblem } from "./sqlite_path.ts";
import type { Store } from "./types.ts";

/** How often the daemon's SQLite WAL is checkpointed, off its event loop. */
const DAEMON_CHECKPOINT_MS = 500;

/** Options of {@linkcode openStore}. */
export interface OpenStoreOptions {
  /**
   * The long-running daemon: the SQLite connection lives in a worker thread
   * (statements and COMMIT fsyncs off the event loop), and checkpoints run
   * in another worker instead of inside a COMMIT.
   */
  daemon?: boolean;
}

/**
 * Open the SQLite file or connect to MySQL according to `config.DB_BACKEND`.
 * The caller then calls `store.migrate()`. Throws with a clear message when
 * the database cannot be opened.
 */
export async function openStore(
  config: Config,
  log: Logger,
  opts: OpenStoreOptions = {},
): Promise<Store> {
  if (config.DB_BACKEND === "mysql") {
    const store = await openMysqlStore({
      host: config.DB_HOST,
      port: config.DB_PORT,
      user: config.DB_USER,
      password: config.DB_PASS,
      database: config.DB_NAME,
    }, log);
    log.debug(
      `store: mysql ${config.DB_USER}@${config.DB_HOST}:${config.DB_PORT}/${config.DB_NAME}`,
    );
    return store;
  }
  try {
    const store = opts.daemon
      ? await openSqliteWorkerStore(config.SQLITE_PATH, log, {
        checkpointEveryMs: DAEMON_CHECKPOINT_MS,
      })
      : openSqliteStore(config.SQLITE_PATH, log);
    log.debug(`store: sqlite ${config.SQLITE_PATH}`);
    return store;
  } catch (err) {
    // SQLite's own reason repeats the path and says nothing of the cause.
    const why = await sqlitePathProblem(config.SQLITE_PATH) ??
      (err as Error).message;
    throw new Error(
      `cannot open SQLite database ${config.SQLITE_PATH}: ${why}`,
    );
  }
}
