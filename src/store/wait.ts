/**
 * Opening the store when the database may be away: which failures mean
 * "not reachable (yet)", and the wait until it is.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Logger } from "../log.ts";
import { classify } from "./mysql_hosts.ts";
import { openStore } from "./open.ts";
import type { Store } from "./types.ts";

/** Pause between two attempts to reach the database. */
export const STORE_RETRY_MS = 3000;

/** Failures of a connection that may work later (not a refusal by the server). */
const AWAY_CODES = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "ECONNRESET",
  "EPIPE",
  "ER_SERVER_SHUTDOWN",
]);

/**
 * Whether opening or migrating the store failed because the database could
 * not be reached: a MySQL server that is down or unreachable. A wrong
 * password, a missing database or a schema error is not that (waiting
 * would not help), nor is any SQLite failure.
 */
export function storeUnreachable(config: Config, err: unknown): boolean {
  if (config.DB_BACKEND !== "mysql") return false;
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: string }).code;
    if (classify(e) === "notRun" || (code && AWAY_CODES.has(code))) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Open and migrate the store. */
export async function openMigrated(
  config: Config,
  log: Logger,
): Promise<Store> {
  const store = await openStore(config, log, { daemon: true });
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}

/**
 * Try to open and migrate the store every {@linkcode STORE_RETRY_MS} until
 * it works (the store), `signal` aborts (null), or it fails for a reason
 * other than the database being away (thrown).
 */
export async function waitForStore(
  config: Config,
  log: Logger,
  signal: AbortSignal,
  retryMs = STORE_RETRY_MS,
): Promise<Store | null> {
  for (;;) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, retryMs);
      signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
    if (signal.aborted) return null;
    try {
      return await openMigrated(config, log);
    } catch (err) {
      if (!storeUnreachable(config, err)) throw err;
      log.debug(`store still away: ${(err as Error).message}`);
    }
  }
}
