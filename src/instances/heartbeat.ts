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
import { heartbeatIntervalMs, instanceId } from "./liveness.ts";

/** What {@linkcode startHeartbeat} needs. */
export interface HeartbeatOptions {
  store: Pick<Store, "heartbeat" | "instanceStopped">;
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

/** Write the row now (throws when the database refuses), then keep it fresh. */
export async function startHeartbeat(
  opts: HeartbeatOptions,
): Promise<Heartbeat> {
  const { store, config, log } = opts;
  const id = instanceId(config);
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
      await inFlight;
      await store.instanceStopped(id, Date.now());
    },
  };
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
