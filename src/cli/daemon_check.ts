/**
 * `--send`/`--ussd` need a running daemon to carry their request out: ask
 * the heartbeats before writing anything.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import { noDaemonReason } from "../instances/liveness.ts";
import type { Store } from "../store/types.ts";

/** Thrown when no daemon serves the database. */
export class NoDaemonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoDaemonError";
  }
}

/** Throws {@linkcode NoDaemonError} (one line, with the fix) when no daemon is alive. */
export async function requireDaemon(
  store: Pick<Store, "instances">,
  config: Pick<Config, "INSTANCE_DEAD_AFTER">,
): Promise<void> {
  const why = noDaemonReason(
    await store.instances(),
    Date.now(),
    config.INSTANCE_DEAD_AFTER,
  );
  if (why) throw new NoDaemonError(why);
}
