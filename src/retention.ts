/**
 * `LOG_RETENTION_DAYS`: purge traffic and call rows (and finished queue rows)
 * older than that many days, once at start and then once a day. 0 = keep
 * forever. A failed purge is logged and tried again the next day. And the
 * HTTP API's Idempotency-Keys, forgotten once older than
 * {@linkcode IDEMPOTENCY_KEY_MS}, checked every hour.
 *
 * @module
 */

import type { Store } from "./store/types.ts";
import type { Logger } from "./log.ts";

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** How long an Idempotency-Key is remembered (the usual window of such APIs). */
export const IDEMPOTENCY_KEY_MS = DAY_MS;

/** Time between purges of Idempotency-Keys. */
const KEY_PURGE_INTERVAL_MS = 3_600_000;

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

  if (!(opts.days > 0)) {
    opts.log.debug("retention: LOG_RETENTION_DAYS is 0, keeping rows forever");
    return {
      first: Promise.resolve(0),
      purgeNow: () => Promise.resolve(0),
      stop: () => Promise.resolve(),
    };
  }

  return repeat(async () => {
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
  }, interval);
}

/**
 * Forget Idempotency-Keys older than {@linkcode IDEMPOTENCY_KEY_MS}, at start
 * and then every hour (or every `intervalMs`).
 */
export function startKeyPurge(
  opts: Omit<RetentionOptions, "days">,
): Retention {
  const now = opts.now ?? Date.now;
  return repeat(async () => {
    try {
      const n = await opts.store.forgetIdempotencyKeys(
        now() - IDEMPOTENCY_KEY_MS,
      );
      opts.log.debug(`api: forgot ${n} Idempotency-Keys older than 24 h`);
      return n;
    } catch (err) {
      opts.log.warn(
        `api: cannot forget old Idempotency-Keys, will retry: ${
          (err as Error).message ?? err
        }`,
      );
      return -1;
    }
  }, opts.intervalMs ?? KEY_PURGE_INTERVAL_MS);
}

/** Run `purge` now and then every `interval` ms, one at a time. */
function repeat(purge: () => Promise<number>, interval: number): Retention {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let inFlight: Promise<number> = Promise.resolve(0);

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
