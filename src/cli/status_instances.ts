/**
 * The instances part of `--status`: every daemon that wrote a heartbeat to
 * this database, whether it is alive, and how many lines it owns.
 *
 * @module
 */

import { isAlive } from "../instances/liveness.ts";
import type { Instance } from "../store/types.ts";
import { formatSeen, formatTable } from "./table.ts";

/**
 * The lines `--status` prints for `rows` (none when no daemon ever ran):
 * a summary, then one row per instance. `owners` maps an instance id to
 * the lines it owns. Heartbeats carry their writer's clock: hosts' clocks
 * must agree to well within `deadAfterS` (NTP) for "alive" to be right.
 */
export function instanceLines(
  rows: Instance[],
  owners: Record<string, number>,
  deadAfterS: number,
  nowMs: number,
): string[] {
  if (rows.length === 0) return [];
  const alive = rows.filter((i) => isAlive(i, nowMs, deadAfterS)).length;
  return [
    `instances: ${alive} alive of ${rows.length}`,
    formatTable(
      ["instance", "alive", "host", "pid", "last heartbeat", "lines owned"],
      rows.map((i) => [
        i.instanceId,
        isAlive(i, nowMs, deadAfterS)
          ? "yes"
          : i.stoppedMs !== null
          ? "stopped"
          : "dead",
        i.host,
        String(i.pid),
        formatSeen(i.heartbeatMs, nowMs),
        String(owners[i.instanceId] ?? 0),
      ]),
    ),
  ];
}
