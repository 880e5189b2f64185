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
import { gatewayPages } from "../store/gateway_pages.ts";

/**
 * Copy the store's gateways into the spool file, a page at a time (the
 * snapshot in force is replaced at the end); failures are logged.
 */
export async function snapshotGateways(
  store: Store,
  file: SpoolFile,
  log: Logger,
  stopped: () => boolean = () => false,
): Promise<void> {
  try {
    file.beginSnapshot();
    for await (const page of gatewayPages(store, { stopped })) {
      file.addToSnapshot(page);
    }
    if (!stopped()) file.commitSnapshot();
  } catch (err) {
    log.warn(
      `spool: cannot refresh the gateways' snapshot in ${file.path}: ${
        (err as Error).message
      }`,
    );
  }
}

/**
 * Snapshots one at a time: a request while one is written runs once more
 * after it (the gateways may have changed meanwhile), however many came.
 */
export function snapshotRunner(
  take: () => Promise<void>,
): { request(): Promise<void> } {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async () => {
    do {
      again = false;
      await take();
    } while (again);
    running = null;
  };
  return {
    request() {
      if (running) {
        again = true;
        return running;
      }
      running = run();
      return running;
    },
  };
}
