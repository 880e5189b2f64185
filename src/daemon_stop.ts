/**
 * Stopping the daemon: each started part registers how to stop it, and a
 * graceful stop runs them newest first within a time limit, so a part that
 * hangs cannot keep goippy from exiting.
 *
 * @module
 */

import type { Logger } from "./log.ts";

/** How long a graceful stop may take before goippy exits anyway. */
export const STOP_LIMIT_MS = 4000;

/** The stops of the started parts, run newest first. */
export class Cleanups {
  #log: Logger;
  #stops: (() => Promise<void>)[] = [];

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Register how to stop a part just started. */
  push(stop: () => Promise<void>): void {
    this.#stops.push(stop);
  }

  /** Run every stop, newest first; a failing one is logged, the rest still run. */
  async run(): Promise<void> {
    for (const c of this.#stops.reverse()) {
      await c().catch((e) =>
        this.#log.warn(
          `stopping: ${e instanceof Error ? e.message : String(e)}`,
        )
      );
    }
  }
}

/**
 * Stop after `signal`: `drain` lets the work in flight finish and stops the
 * parts; after STOP_LIMIT_MS goippy stops anyway. Resolves with exit code 0.
 */
export async function stopGracefully(
  signal: string,
  log: Logger,
  drain: () => Promise<void>,
): Promise<number> {
  log.info(`${signal}: stopping`);
  const stopped = drain();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) =>
    timer = setTimeout(() => r("late"), STOP_LIMIT_MS)
  );
  const how = await Promise.race([stopped, late]);
  clearTimeout(timer);
  log.info(
    how === "late" ? "goippy stopped (some parts timed out)" : "goippy stopped",
  );
  return 0;
}
