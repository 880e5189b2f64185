/**
 * `--status`: every line and the queue depths, read from the database (the
 * same picture as /metrics, without needing the endpoint).
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import { lineOnline } from "../line_online.ts";
import type {
  Gateway,
  GatewayWithState,
  SendCounts,
  Store,
} from "../store/types.ts";
import {
  type LimitConfig,
  lineLimits,
  usageQuery,
  usedOf,
} from "../limits/mod.ts";
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

/**
 * `3/30 12/- 5/100`: SMS handed over in the last hour, this UTC day and
 * distinct recipients this UTC month, each of its limit ("-": none); "" for
 * a line without any limit.
 */
export function sentCell(
  g: Gateway,
  config: LimitConfig,
  c: SendCounts | undefined,
): string {
  const l = lineLimits(g, config);
  if (l.hour <= 0 && l.day <= 0 && l.recipients <= 0) return "";
  const u = c ?? { hour: 0, day: 0, recipients: 0 };
  return [
    usedOf(u.hour, l.hour),
    usedOf(u.day, l.day),
    usedOf(u.recipients, l.recipients),
  ].join(" ");
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
  const counts = await store.sendCounts(usageQuery(nowMs, "", false));
  const online =
    gateways.filter((g) =>
      lineCondition(g, config.GOIP_OFFLINE_AFTER, nowMs) === "online"
    ).length;
  io.out(
    `store: ${store.dialect}; lines: ${online} online of ${gateways.length}`,
  );
  if (gateways.length > 0) {
    io.out(formatTable(
      [
        "ext",
        "goip_id",
        "msisdn",
        "line",
        "signal",
        "operator",
        "last seen",
        "sent hour day recipients",
      ],
      gateways.map((g) => [
        g.ext,
        g.goipId,
        g.msisdn,
        lineCondition(g, config.GOIP_OFFLINE_AFTER, nowMs),
        g.state?.signal == null ? "" : String(g.state.signal),
        g.state?.provider ?? "",
        formatSeen(g.state?.lastSeenMs ?? 0, nowMs),
        sentCell(g, config, counts.get(g.goipId)),
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
