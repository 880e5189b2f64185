/**
 * What the driver's parts (expiry, hand-over checks, claims, reaper) see of
 * the driver: one shape, so the driver builds it once.
 *
 * @module
 */

import type { Hub } from "../hub.ts";
import type { LiveConfig } from "../config/live.ts";
import type { Logger } from "../log.ts";
import type { GoippyMetrics } from "../metrics/goippy.ts";
import type { Store } from "../store/types.ts";

/** Runs `fn` alone: picking an item and expiring never interleave. */
export type Locked = <T>(fn: () => Promise<T>) => Promise<T>;

/** The driver as its parts see it. */
export interface DriverContext {
  store: Store;
  hub: Hub;
  log: Logger;
  /** The config in force. */
  config: LiveConfig;
  /** Counts SMS sent/failed/limited when given. */
  metrics?: GoippyMetrics;
  /** This daemon's instance id (the claimer of the rows it sends). */
  instanceId: string;
  now: () => number;
  stopped: () => boolean;
  locked: Locked;
  /** Random numbers in [0, 1) for SEND_JITTER; defaults to `Math.random`. */
  random?: () => number;
}
