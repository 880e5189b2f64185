/**
 * The daemon's heartbeat: its row in `goippy_instances`, written at start
 * and every {@linkcode heartbeatIntervalMs}, marked stopped on a clean
 * shutdown. The CLI reads it to know that a daemon serves the database.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/types.ts";
import { VERSION } from "../version.ts";
import { heartbeatIntervalMs, instanceId, isAlive } from "./liveness.ts";

/** How long a clean shutdown waits to mark the row stopped. */
const STOP_WRITE_LIMIT_MS = 1000;

/** What {@linkcode startHeartbeat} needs. */
export interface HeartbeatOptions {
  store: Pick<Store, "heartbeat" | "instanceStopped" | "instances">;
  config: Pick<
    Config,
    "INSTANCE_ID" | "GOIP_UDP_PORT" | "INSTANCE_DEAD_AFTER"
  >;
  log: Logger;
}

/** A running heartbeat. */
export interface Heartbeat {
  /** This daemon's instance id. */
  readonly id: string;
  /** Stop beating and mark the row stopped. */
  stop(): Promise<void>;
}

/**
 * Write the row now (throws when the database refuses, or when a daemon on
 * another host is alive under the same instance id), then keep it fresh.
 */
export async function startHeartbeat(
  opts: HeartbeatOptions,
): Promise<Heartbeat> {
  const { store, config, log } = opts;
  const id = instanceId(config);
  // Two daemons under one id would take each other's sends for their own
  // (a restart reports its own interrupted sends uncertain). The same host
  // is a restart, perhaps right after a crash; another host is a copied
  // INSTANCE_ID.
  const twin = (await store.instances()).find((i) =>
    i.instanceId === id && i.host !== Deno.hostname() &&
    isAlive(i, Date.now(), config.INSTANCE_DEAD_AFTER)
  );
  if (twin) {
    throw new Error(
      `instance id ${id} is in use by a running goippy on host ${twin.host} ` +
        `(pid ${twin.pid}); give each daemon its own INSTANCE_ID`,
    );
  }
  const row = {
    instanceId: id,
    host: Deno.hostname(),
    pid: Deno.pid,
    version: VERSION,
    startedMs: Date.now(),
  };
  const beat = () => store.heartbeat({ ...row, heartbeatMs: Date.now() });
  await beat();
  let failing = false;
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    // A write still waiting for an unreachable database is not doubled.
    if (inFlight) return;
    inFlight = beat().then(() => {
      if (failing) log.info(`heartbeat: written again (${id})`);
      failing = false;
    }, (err) => {
      // Once per outage: the database being away is logged elsewhere too.
      if (!failing) log.warn(`heartbeat: cannot write it: ${errText(err)}`);
      failing = true;
    }).finally(() => inFlight = null);
  }, heartbeatIntervalMs(config.INSTANCE_DEAD_AFTER));
  return {
    id,
    async stop() {
      clearInterval(timer);
      // A database that is away must not hold up the rest of the shutdown:
      // the row then just ages past INSTANCE_DEAD_AFTER.
      let limit: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((_, reject) =>
        limit = setTimeout(
          () => reject(new Error("database did not answer within 1 s")),
          STOP_WRITE_LIMIT_MS,
        )
      );
      try {
        await Promise.race([
          (async () => {
            await inFlight;
            await store.instanceStopped(id, Date.now());
          })(),
          late,
        ]);
      } finally {
        clearTimeout(limit);
      }
    },
  };
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
