/**
 * goippy's own metrics: the counters the daemon's parts increment, and the
 * gauges computed from the store at scrape time.
 *
 * @module
 */

import { type Counter, type Gauge, MetricsRegistry } from "./registry.ts";
import { lineOnline } from "../line_online.ts";
import type { Store } from "../store/types.ts";

/** XMPP link state as shown by /metrics and /health. */
export type XmppState = "connected" | "disconnected" | "off";

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
  linesKnown: Gauge;
  linesOnline: Gauge;
  queueDepth: Gauge;
  keepaliveAge: Gauge;
  xmppConnected: Gauge;
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
    linesKnown: r.gauge("goippy_lines_known", "Gateways configured."),
    linesOnline: r.gauge(
      "goippy_lines_online",
      "Lines with a keepalive within GOIP_OFFLINE_AFTER.",
    ),
    queueDepth: r.gauge(
      "goippy_queue_depth",
      "Rows waiting: inbox_pending (to XMPP), outbox_queued and outbox_sending (to GoIPs).",
    ),
    keepaliveAge: r.gauge(
      "goippy_last_keepalive_age_seconds",
      "Seconds since the last authenticated keepalive of each line that sent one.",
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

/** What a scrape needs besides the counters. */
export interface ScrapeInput {
  store: Store;
  /** Seconds without keepalive after which a line is offline. */
  offlineAfterS: number;
  xmpp: () => XmppState;
  /** Events in the local spool (absent: no spool). */
  spoolDepth?: () => number;
  nowMs?: number;
}

/** Refresh the store-derived gauges and render everything. */
export async function scrape(
  m: GoippyMetrics,
  input: ScrapeInput,
): Promise<string> {
  const now = input.nowMs ?? Date.now();
  const spooled = input.spoolDepth?.() ?? 0;
  m.spoolDepth.set(spooled);
  let gateways, depths;
  try {
    [gateways, depths] = await Promise.all([
      input.store.listGateways(),
      input.store.queueDepths(),
    ]);
  } catch (err) {
    // While events wait in the spool the scrape still answers (the spool
    // depth is what matters then); the store's gauges keep their last values.
    if (spooled === 0) throw err;
    return m.registry.render();
  }
  m.linesKnown.set(gateways.length);
  m.keepaliveAge.reset();
  let online = 0;
  for (const g of gateways) {
    const seen = g.state?.lastSeenMs ?? 0;
    if (!seen) continue;
    const age = Math.max(0, (now - seen) / 1000);
    if (
      g.enabled &&
      lineOnline(g.state, now, { GOIP_OFFLINE_AFTER: input.offlineAfterS })
    ) online++;
    m.keepaliveAge.set(Math.round(age * 1000) / 1000, {
      goip_id: g.goipId,
      ext: g.ext,
    });
  }
  m.linesOnline.set(online);
  m.queueDepth.set(depths.inboxPending, { queue: "inbox_pending" });
  m.queueDepth.set(depths.outboxQueued, { queue: "outbox_queued" });
  m.queueDepth.set(depths.outboxSending, { queue: "outbox_sending" });
  const x = input.xmpp();
  m.xmppConnected.reset();
  if (x !== "off") m.xmppConnected.set(x === "connected" ? 1 : 0);
  return m.registry.render();
}
