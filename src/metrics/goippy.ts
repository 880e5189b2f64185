/**
 * goippy's own metrics: the counters the daemon's parts increment, and the
 * gauges computed from the store at scrape time.
 *
 * @module
 */

import { type Counter, type Gauge, MetricsRegistry } from "./registry.ts";
import { onlineSinceMs } from "../line_online.ts";
import type { GatewayWithState, Store } from "../store/types.ts";
import { type LimitConfig, lineLimits, usageQuery } from "../limits/mod.ts";
import { isAlive } from "../instances/liveness.ts";

/** XMPP link state as shown by /metrics and /health. */
export type XmppState = "connected" | "disconnected" | "standby" | "off";

/** The counters a daemon's parts increment (pass as an optional `metrics` dep). */
export interface GoippyMetrics {
  registry: MetricsRegistry;
  /** Datagrams received, by `type` (keepalive, receive, deliver, record, hangup, reply, invalid, …). */
  datagramsIn: Counter;
  /** Datagrams sent, by `type` (reg, ack, sms, msg, password, send, done, ussd, control, …). */
  datagramsOut: Counter;
  /** Datagrams refused for a wrong id/password or a disallowed source. */
  authFailures: Counter;
  /** Incoming SMS stored (duplicates not counted). */
  smsIn: Counter;
  /** Outgoing SMS the GoIP accepted. */
  smsOut: Counter;
  /** Outgoing SMS that failed, expired or were refused. */
  smsFailed: Counter;
  /** Outgoing SMS refused for a send limit, by `limit` (hour, day, recipients). */
  smsLimited: Counter;
  /** Per line and `limit`: what is used now (hand-overs, not the queue). */
  sendLimitUsed: Gauge;
  /** Per line and `limit`: the limit in force (lines with one only). */
  sendLimit: Gauge;
  /** Password-carrying events taken from an address other than the line's. */
  lineAddressChanges: Counter;
  linesKnown: Gauge;
  linesOnline: Gauge;
  /** Lines by `state`: online, offline (enabled, no recent keepalive), disabled. */
  lines: Gauge;
  queueDepth: Gauge;
  keepaliveAge: Gauge;
  xmppConnected: Gauge;
  instancesAlive: Gauge;
  linesOwned: Gauge;
  spoolDepth: Gauge;
}

/** A fresh set of goippy metrics on its own registry. */
export function createGoippyMetrics(): GoippyMetrics {
  const r = new MetricsRegistry();
  return {
    registry: r,
    datagramsIn: r.counter(
      "goippy_datagrams_in_total",
      "UDP datagrams received from GoIPs, by type.",
      true,
    ),
    datagramsOut: r.counter(
      "goippy_datagrams_out_total",
      "UDP datagrams sent to GoIPs, by type.",
      true,
    ),
    authFailures: r.counter(
      "goippy_auth_failures_total",
      "Datagrams refused for a wrong id or password or a disallowed source.",
    ),
    smsIn: r.counter("goippy_sms_in_total", "Incoming SMS stored."),
    smsOut: r.counter(
      "goippy_sms_out_total",
      "Outgoing SMS accepted by a GoIP.",
    ),
    smsFailed: r.counter(
      "goippy_sms_failed_total",
      "Outgoing SMS that failed, expired or were refused.",
    ),
    smsLimited: r.counter(
      "goippy_sms_limited_total",
      "Outgoing SMS refused by the daemon for a send limit, by limit.",
    ),
    sendLimitUsed: r.gauge(
      "goippy_send_limit_used",
      "SMS handed to each limited line: in the last hour, this UTC day, distinct recipients this UTC month.",
    ),
    sendLimit: r.gauge(
      "goippy_send_limit",
      "The send limit in force on each limited line (hour, day, recipients).",
    ),
    lineAddressChanges: r.counter(
      "goippy_line_address_changes_total",
      "Events with the right password from an address other than the line's last keepalive's (NAT rebinding), accepted.",
    ),
    linesKnown: r.gauge("goippy_lines_known", "Gateways configured."),
    linesOnline: r.gauge(
      "goippy_lines_online",
      "Lines with a keepalive within GOIP_OFFLINE_AFTER.",
    ),
    lines: r.gauge(
      "goippy_lines",
      "Gateways by state: online, offline (enabled, no keepalive within GOIP_OFFLINE_AFTER), disabled.",
    ),
    queueDepth: r.gauge(
      "goippy_queue_depth",
      "Rows waiting: inbox_pending (to XMPP), outbox_queued and outbox_sending (to GoIPs).",
    ),
    keepaliveAge: r.gauge(
      "goippy_last_keepalive_age_seconds",
      "Seconds since the last authenticated keepalive of each line that sent one.",
    ),
    instancesAlive: r.gauge(
      "goippy_instances_alive",
      "goippy daemons on this database with a heartbeat within INSTANCE_DEAD_AFTER.",
    ),
    linesOwned: r.gauge(
      "goippy_lines_owned",
      "Lines per instance that answered their latest keepalive (and alone send their outbox).",
    ),
    xmppConnected: r.gauge(
      "goippy_xmpp_connected",
      "1 when the XMPP component stream is up, 0 when not (absent when XMPP is off).",
    ),
    spoolDepth: r.gauge(
      "goippy_spool_depth",
      "Inbound events in the local spool, waiting for the store.",
    ),
  };
}

/**
 * Fleets up to this many lines get per-line series (keepalive age, send
 * limits); larger ones only the totals, so a scrape stays small and never
 * reads the whole gateways table.
 */
export const LINE_SERIES_CAP = 1_000;

/** What a scrape needs besides the counters. */
export interface ScrapeInput {
  store: Store;
  /** Seconds without keepalive after which a line is offline. */
  offlineAfterS: number;
  xmpp: () => XmppState;
  /** The send limits' defaults; no send limit gauges when absent. */
  limits?: LimitConfig;
  /** INSTANCE_DEAD_AFTER in seconds; instances are shown when given. */
  instanceDeadAfterS?: number;
  /** Events in the local spool (absent: no spool). */
  spoolDepth?: () => number;
  nowMs?: number;
  /** Per-line series only up to this many lines (default {@linkcode LINE_SERIES_CAP}). */
  lineSeriesCap?: number;
}

/** Refresh the store-derived gauges and render everything. */
export async function scrape(
  m: GoippyMetrics,
  input: ScrapeInput,
): Promise<string> {
  const now = input.nowMs ?? Date.now();
  const spooled = input.spoolDepth?.() ?? 0;
  m.spoolDepth.set(spooled);
  let counts, depths;
  let gateways: GatewayWithState[] = [];
  try {
    [counts, depths] = await Promise.all([
      input.store.lineCounts(
        onlineSinceMs(now, { GOIP_OFFLINE_AFTER: input.offlineAfterS }),
      ),
      input.store.queueDepths(),
    ]);
    if (counts.known <= (input.lineSeriesCap ?? LINE_SERIES_CAP)) {
      gateways = await input.store.listGateways();
    }
  } catch (err) {
    // While events wait in the spool the scrape still answers (the spool
    // depth is what matters then); the store's gauges keep their last values.
    if (spooled === 0) throw err;
    return m.registry.render();
  }
  m.linesKnown.set(counts.known);
  m.linesOnline.set(counts.online);
  for (const state of ["online", "offline", "disabled"] as const) {
    m.lines.set(counts[state], { state });
  }
  m.keepaliveAge.reset();
  for (const g of gateways) {
    const seen = g.state?.lastSeenMs ?? 0;
    if (!seen) continue;
    const age = Math.max(0, (now - seen) / 1000);
    m.keepaliveAge.set(Math.round(age * 1000) / 1000, {
      goip_id: g.goipId,
      ext: g.ext,
    });
  }
  m.queueDepth.set(depths.inboxPending, { queue: "inbox_pending" });
  m.queueDepth.set(depths.outboxQueued, { queue: "outbox_queued" });
  m.queueDepth.set(depths.outboxSending, { queue: "outbox_sending" });
  await limitGauges(m, input, gateways, now);
  if (input.instanceDeadAfterS !== undefined) {
    const [rows, owners] = await Promise.all([
      input.store.instances(),
      input.store.lineOwners(),
    ]);
    const deadAfter = input.instanceDeadAfterS;
    m.instancesAlive.set(
      rows.filter((i) => isAlive(i, now, deadAfter)).length,
    );
    m.linesOwned.reset();
    for (const [instance, n] of Object.entries(owners)) {
      m.linesOwned.set(n, { instance });
    }
  }
  const x = input.xmpp();
  m.xmppConnected.reset();
  // A standby daemon is not missing a connection: another one holds it.
  if (x !== "off" && x !== "standby") {
    m.xmppConnected.set(x === "connected" ? 1 : 0);
  }
  return m.registry.render();
}

/**
 * Use and limit of each line that has a send limit (one query for all);
 * none above the per-line cap (`gateways` is then empty).
 */
async function limitGauges(
  m: GoippyMetrics,
  input: ScrapeInput,
  gateways: GatewayWithState[],
  now: number,
): Promise<void> {
  m.sendLimitUsed.reset();
  m.sendLimit.reset();
  const config = input.limits;
  if (!config) return;
  const limited = gateways
    .map((g) => ({ g, l: lineLimits(g, config) }))
    .filter(({ l }) => l.hour > 0 || l.day > 0 || l.recipients > 0);
  if (!limited.length) return;
  const counts = await input.store.sendCounts(usageQuery(now, "", false));
  for (const { g, l } of limited) {
    const c = counts.get(g.goipId) ?? { hour: 0, day: 0, recipients: 0 };
    for (const limit of ["hour", "day", "recipients"] as const) {
      if (l[limit] <= 0) continue;
      const labels = { goip_id: g.goipId, ext: g.ext, limit };
      m.sendLimitUsed.set(c[limit], labels);
      m.sendLimit.set(l[limit], labels);
    }
  }
}
