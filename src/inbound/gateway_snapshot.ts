/**
 * The gateways' snapshot in the spool file: refreshed from the store when
 * its gateways change, read when goippy starts while the store is away, so
 * the lines known at the last run are answered and their events spooled.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { SpoolFile } from "../spool/spool_file.ts";
import type { Store } from "../store/types.ts";

/** Copy the store's gateways into the spool file (failures are logged). */
export async function snapshotGateways(
  store: Store,
  file: SpoolFile,
  log: Logger,
): Promise<void> {
  try {
    file.saveGateways(await store.listGateways());
  } catch (err) {
    log.warn(
      `spool: cannot refresh the gateways' snapshot in ${file.path}: ${
        (err as Error).message
      }`,
    );
  }
}
