/**
 * `--status`: every line and the queue depths, read from the database (the
 * same picture as /metrics, without needing the endpoint).
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import { lineOnline } from "../line_online.ts";
import type { GatewayWithState, Store } from "../store/types.ts";
import type { CliIo } from "./io.ts";
import { instanceLines } from "./status_instances.ts";
import { formatSeen, formatTable } from "./table.ts";

/** online / offline / never seen / disabled, as `--status` shows a line. */
export function lineCondition(
  g: GatewayWithState,
  offlineAfterS: number,
  nowMs: number,
): string {
  if (!g.enabled) return "disabled";
  if (!g.state?.lastSeenMs) return "never seen";
  return lineOnline(g.state, nowMs, { GOIP_OFFLINE_AFTER: offlineAfterS })
    ? "online"
    : "offline";
}

/** Print the status table; exit code 0. */
export async function showStatus(
  store: Store,
  config: Config,
  io: CliIo,
  nowMs = Date.now(),
): Promise<number> {
  const gateways = await store.listGateways();
  const depths = await store.queueDepths();
  const online =
    gateways.filter((g) =>
      lineCondition(g, config.GOIP_OFFLINE_AFTER, nowMs) === "online"
    ).length;
  io.out(
    `store: ${store.dialect}; lines: ${online} online of ${gateways.length}`,
  );
  if (gateways.length > 0) {
    io.out(formatTable(
      ["ext", "goip_id", "msisdn", "line", "signal", "operator", "last seen"],
      gateways.map((g) => [
        g.ext,
        g.goipId,
        g.msisdn,
        lineCondition(g, config.GOIP_OFFLINE_AFTER, nowMs),
        g.state?.signal == null ? "" : String(g.state.signal),
        g.state?.provider ?? "",
        formatSeen(g.state?.lastSeenMs ?? 0, nowMs),
      ]),
    ));
  }
  io.out(
    `queues: to XMPP ${depths.inboxPending} pending; to GoIP ` +
      `${depths.outboxQueued} queued, ${depths.outboxSending} sending`,
  );
  const lines = instanceLines(
    await store.instances(),
    await store.lineOwners(),
    config.INSTANCE_DEAD_AFTER,
    nowMs,
  );
  for (const line of lines) io.out(line);
  return 0;
}
