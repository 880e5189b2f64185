/**
 * Whether a goippy daemon serves the database: one of the rows in
 * `goippy_instances` was written recently enough and not marked stopped.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Instance } from "../store/types.ts";

/** This daemon's name: `INSTANCE_ID`, else `<hostname>:<GOIP_UDP_PORT>`. */
export function instanceId(
  config: Pick<Config, "INSTANCE_ID" | "GOIP_UDP_PORT">,
  hostname: () => string = Deno.hostname,
): string {
  return config.INSTANCE_ID || `${hostname()}:${config.GOIP_UDP_PORT}`;
}

/**
 * Milliseconds between heartbeats: every 5 s, or more often when
 * `INSTANCE_DEAD_AFTER` is short, so a live daemon never looks dead.
 */
export function heartbeatIntervalMs(deadAfterS: number): number {
  return Math.min(5000, Math.floor(deadAfterS * 1000 / 3));
}

/** True when `i` ran (heartbeat younger than `deadAfterS`, not stopped) at `nowMs`. */
export function isAlive(
  i: Instance,
  nowMs: number,
  deadAfterS: number,
): boolean {
  return i.stoppedMs === null && nowMs - i.heartbeatMs < deadAfterS * 1000;
}

/**
 * Ids of instances other than `me` that are dead at `nowMs`: heartbeat older
 * than `deadAfterS`, or stopped. Heartbeats carry each writer's own clock,
 * so the hosts' clocks must agree to well within `deadAfterS` (NTP).
 */
export function deadInstances(
  rows: Instance[],
  me: string,
  nowMs: number,
  deadAfterS: number,
): string[] {
  return rows.filter((i) =>
    i.instanceId !== me && !isAlive(i, nowMs, deadAfterS)
  ).map((i) => i.instanceId);
}

/**
 * `null` when a daemon is alive; else the one-line reason the CLI prints,
 * naming the last heartbeat seen (or that there never was one) and the fix.
 */
export function noDaemonReason(
  rows: Instance[],
  nowMs: number,
  deadAfterS: number,
): string | null {
  if (rows.some((i) => isAlive(i, nowMs, deadAfterS))) return null;
  const last = rows.reduce<Instance | undefined>(
    (a, i) => !a || i.heartbeatMs > a.heartbeatMs ? i : a,
    undefined,
  );
  const seen = last
    ? `last heartbeat ${
      ago(nowMs - last.heartbeatMs)
    } ago from ${last.instanceId}` +
      (last.stoppedMs !== null ? ", stopped" : "")
    : "never a heartbeat";
  return `no goippy daemon is running on this database (${seen}); ` +
    "start it (systemctl start goippy / deno task start)";
}

/** `42 s`, `5 min`, `3 h`, `2 d`. */
function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
