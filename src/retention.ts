/**
 * `LOG_RETENTION_DAYS`: purge traffic and call rows (and finished queue rows)
 * older than that many days, once at start and then once a day. 0 = keep
 * forever. A failed purge is logged and tried again the next day.
 *
 * @module
 */

import type { Store } from "./store/types.ts";
import type { Logger } from "./log.ts";

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** Options of {@linkcode startRetention}. */
export interface RetentionOptions {
  store: Store;
  /** Keep this many days; 0 or less = keep forever (nothing runs). */
  days: number;
  log: Logger;
  /** Clock (epoch ms); defaults to `Date.now`. */
  now?: () => number;
  /** Time between purges (default one day). */
  intervalMs?: number;
}

/** A running purge schedule. */
export interface Retention {
  /** Resolves with the rows removed by the purge made at start (0 when off). */
  readonly first: Promise<number>;
  /** Purge now; resolves with the rows removed (-1 when the purge failed). */
  purgeNow(): Promise<number>;
  /** Cancel the schedule and wait for a purge in flight. */
  stop(): Promise<void>;
}

/** Start purging (when `days > 0`); see {@linkcode Retention}. */
export function startRetention(opts: RetentionOptions): Retention {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? DAY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let inFlight: Promise<number> = Promise.resolve(0);

  if (!(opts.days > 0)) {
    opts.log.debug("retention: LOG_RETENTION_DAYS is 0, keeping rows forever");
    return {
      first: Promise.resolve(0),
      purgeNow: () => Promise.resolve(0),
      stop: () => Promise.resolve(),
    };
  }

  async function purge(): Promise<number> {
    const before = now() - opts.days * DAY_MS;
    try {
      const n = await opts.store.purgeOlderThan(before);
      (n > 0 ? opts.log.info : opts.log.debug)(
        `retention: removed ${n} rows older than ${opts.days} days (before ${
          new Date(before).toISOString()
        })`,
      );
      return n;
    } catch (err) {
      opts.log.warn(
        `retention: purge failed, will retry in ${
          Math.round(interval / 60_000)
        } min: ${(err as Error).message ?? err}`,
      );
      return -1;
    }
  }

  function run(): Promise<number> {
    inFlight = inFlight.then(purge);
    return inFlight;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      run().finally(schedule);
    }, interval);
  }

  const first = run();
  first.finally(schedule);
  return {
    first,
    purgeNow: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      clearTimeout(timer);
    },
  };
}
