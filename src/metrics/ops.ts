/**
 * The daemon's housekeeping parts in one call: the metrics/health endpoint
 * (when `METRICS_BIND` is set), the retention purge (when
 * `LOG_RETENTION_DAYS` > 0) and the purge of old Idempotency-Keys (when
 * `API_BIND` is set). The first two take effect without a restart: `reload`
 * (after SIGHUP) rebuilds what the config in force changed.
 *
 * @module
 */

import type { LiveConfig } from "../config/live.ts";
import type { Config } from "../config/types.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/types.ts";
import { holdLease } from "../instances/lease_holder.ts";
import { startKeyPurge, startRetention } from "../retention.ts";
import type { GoippyMetrics } from "./goippy.ts";
import {
  type HealthProbe,
  type MetricsServer,
  startMetricsServer,
} from "./server.ts";

/** What {@linkcode startOpsParts} needs from the daemon. */
export interface OpsDeps {
  /** The config in force. */
  config: LiveConfig;
  store: Store;
  log: Logger;
  metrics: GoippyMetrics;
  health: HealthProbe;
  /**
   * When set, the purges run only on the daemon holding the `housekeeping`
   * lease (several daemons on one database purge once); else always.
   */
  lease?: { holder: string; ttlMs: number };
}

/** The lease's name in `goippy_leases`. */
export const HOUSEKEEPING_LEASE = "housekeeping";

/** The running parts. */
export interface OpsParts {
  /** The metrics endpoint's port, or null when off. */
  metricsPort(): number | null;
  /** Follow a new config in force (METRICS_BIND, LOG_RETENTION_DAYS). */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Start the endpoint and the purge. Throws when `METRICS_BIND` cannot be
 * bound (a clear error at start beats a silent lack of metrics).
 */
export async function startOpsParts(deps: OpsDeps): Promise<OpsParts> {
  /** The config the endpoint and the purge were started from. */
  let config = deps.config();
  let server: MetricsServer | null = null;
  let retention: { stop(): Promise<void> } | null = null;

  const serve = async (c: Config) => {
    if (!c.METRICS_BIND) return null;
    return await startMetricsServer({
      bind: c.METRICS_BIND,
      metrics: deps.metrics,
      store: deps.store,
      health: deps.health,
      offlineAfterS: () => deps.config().GOIP_OFFLINE_AFTER,
      limits: () => deps.config(),
      instanceDeadAfterS: () => deps.config().INSTANCE_DEAD_AFTER,
      log: deps.log,
    });
  };
  const purge = (c: Config) => {
    const days = c.LOG_RETENTION_DAYS > 0;
    if (!days && !c.API_BIND) return null;
    const start = () => {
      const { store, log } = deps;
      const jobs = [
        days
          ? startRetention({ store, days: c.LOG_RETENTION_DAYS, log })
          : null,
        c.API_BIND ? startKeyPurge({ store, log }) : null,
      ];
      return {
        stop: async () => {
          await Promise.all(jobs.map((j) => j?.stop()));
        },
      };
    };
    if (!deps.lease) return start();
    let job: { stop(): Promise<void> } | null = null;
    return holdLease({
      store: deps.store,
      name: HOUSEKEEPING_LEASE,
      ...deps.lease,
      log: deps.log,
      onAcquired: () => job = start(),
      onLost: async () => {
        const j = job;
        job = null;
        await j?.stop();
      },
    });
  };

  server = await serve(config);
  retention = purge(config);

  return {
    metricsPort: () => server?.port ?? null,
    async reload() {
      const prev = config;
      const next = config = deps.config();
      if (next.METRICS_BIND !== prev.METRICS_BIND) {
        await server?.stop();
        server = null;
        try {
          server = await serve(next);
        } catch (err) {
          deps.log.error(
            `metrics: cannot serve on ${next.METRICS_BIND}: ${
              (err as Error).message
            }`,
          );
        }
      }
      if (next.LOG_RETENTION_DAYS !== prev.LOG_RETENTION_DAYS) {
        await retention?.stop();
        retention = purge(next);
        deps.log.info(
          next.LOG_RETENTION_DAYS > 0
            ? `retention: keeping ${next.LOG_RETENTION_DAYS} days`
            : "retention: keeping rows forever",
        );
      }
    },
    async stop() {
      await Promise.all([server?.stop(), retention?.stop()]);
      server = null;
      retention = null;
    },
  };
}
