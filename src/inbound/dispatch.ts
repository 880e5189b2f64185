/**
 * Inbound datagrams: authenticate, persist, then acknowledge. Keepalives and
 * RECEIVE are handled here; DELIVER, calls, USSN and other events in
 * `inbound_events.ts`. Command replies go to the hub for the sender.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Hub } from "../hub.ts";
import { type Logger, maskSecrets } from "../log.ts";
import type { GoippyMetrics } from "../metrics/goippy.ts";
import type { Gateway, Store } from "../store/types.ts";
import { incomingSms } from "../notices/mod.ts";
import { GatewayCache } from "./auth.ts";
import { formatAck } from "../goip/format.ts";
import { handleEvent } from "./events.ts";
import { keepalive } from "./keepalive.ts";
import { LineSaver } from "./line_saver.ts";
import { LineWatch } from "./line_watch.ts";
import { parseDatagram } from "../goip/parse.ts";
import { ReceiveBatcher } from "./receive_batch.ts";
import type { ReceivePacket } from "../goip/types.ts";

/** What {@linkcode startInbound} needs. */
export interface InboundDeps {
  store: Store;
  hub: Hub;
  config: Config;
  log: Logger;
  /** Send a datagram from the listening socket. */
  send: (addr: string, text: string) => Promise<void>;
  metrics?: GoippyMetrics;
  now?: () => number;
  /** How often the gateway cache asks whether gateways changed (default 2000 ms). */
  cacheMs?: number;
  /** Told of every refused authentication (rate limit per source). */
  onAuthFailure?: (addr: string) => void;
}

/** Shared state of the inbound handlers. */
export interface InboundContext extends InboundDeps {
  now: () => number;
  gateways: GatewayCache;
  lines: LineWatch;
  /** Per line: the call in progress (from RECORD) and STATE values seen since. */
  calls: Map<string, OpenCall>;
  /** Group commit of incoming SMS. */
  receives: ReceiveBatcher;
  /** Line-state writes (routine ones batched). */
  saver: LineSaver;
  /** RECEIVEs between their datagram and their ack. */
  inFlight: Set<Promise<void>>;
  /** Send and count one datagram (errors logged, never thrown). */
  reply: (addr: string, text: string, type: string) => Promise<void>;
}

/** A call between its RECORD and HANGUP, as the inbound handlers see it. */
export interface OpenCall {
  num: string;
  direction: number;
  atMs: number;
  states: string[];
}

/** The running inbound part. */
export interface Inbound {
  /** Handle one datagram's text (the endpoint's `onDatagram`). */
  handle(text: string, addr: string): Promise<void>;
  /** Apply a re-read config. */
  reload(config: Config): void;
  /** Wait until every RECEIVE taken so far is stored and acknowledged. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Start the inbound handlers and the line offline watch. */
export async function startInbound(deps: InboundDeps): Promise<Inbound> {
  const now = deps.now ?? Date.now;
  const ctx: InboundContext = {
    ...deps,
    now,
    gateways: new GatewayCache(deps.store, {
      checkEveryMs: deps.cacheMs ?? 2000,
      now,
    }),
    lines: new LineWatch({
      hub: deps.hub,
      log: deps.log,
      offlineAfterS: deps.config.GOIP_OFFLINE_AFTER,
      now,
    }),
    calls: new Map(),
    inFlight: new Set(),
    saver: new LineSaver({
      store: deps.store,
      log: deps.log,
      flushMs: () => lineFlushMs(ctx.config.GOIP_OFFLINE_AFTER),
    }),
    receives: new ReceiveBatcher({
      store: deps.store,
      windowMs: () => ctx.config.RECEIVE_DEDUPE_MINUTES * 60_000,
      now,
    }),
    reply: async (addr, text, type) => {
      try {
        await deps.send(addr, text);
        deps.metrics?.datagramsOut.inc({ type });
      } catch (err) {
        deps.log.warn(`udp -> ${addr}: ${(err as Error).message}`);
      }
    },
  };
  await ctx.lines.seed(deps.store);
  ctx.lines.start();
  return {
    handle: (text, addr) => handleDatagram(ctx, text, addr),
    reload(config) {
      ctx.config = config;
      ctx.lines.setOfflineAfter(config.GOIP_OFFLINE_AFTER);
      ctx.gateways.clear();
    },
    async drain() {
      while (ctx.inFlight.size > 0) await Promise.all([...ctx.inFlight]);
    },
    async stop() {
      ctx.lines.stop();
      while (ctx.inFlight.size > 0) await Promise.all([...ctx.inFlight]);
      await ctx.saver.stop();
    },
  };
}

/** Dispatch one datagram. */
export async function handleDatagram(
  ctx: InboundContext,
  text: string,
  addr: string,
): Promise<void> {
  const p = parseDatagram(text);
  ctx.metrics?.datagramsIn.inc({ type: metricType(p) });
  switch (p.type) {
    case "invalid":
      ctx.log.debug(`udp <- ${addr}: ignored (${p.reason})`);
      return;
    case "reply":
      ctx.hub.emit("reply", { addr, reply: p });
      return;
    case "keepalive":
      return await keepalive(ctx, p, addr);
  }
  const gw = await authorize(ctx, p.type, p.id, p.password, addr);
  if (!gw) return;
  if (p.type === "receive") {
    if (ctx.inFlight.size >= MAX_RECEIVES_IN_FLIGHT) {
      // The store is behind: no ack, the GoIP sends it again later.
      ctx.log.debug(`sms RECEIVE ${p.n} on ${gw.goipId}: store busy, no ack`);
      return;
    }
    // Not awaited: the next datagram from this address need not wait for
    // this commit, so RECEIVEs can share one (group commit). The ack still
    // follows the commit; drain() waits for these.
    const job = receive(ctx, gw, p, addr).catch((err) =>
      ctx.log.error(`sms RECEIVE ${p.n} on ${gw.goipId}: ${err}`)
    );
    ctx.inFlight.add(job);
    job.finally(() => ctx.inFlight.delete(job));
    return;
  }
  await handleEvent(ctx, gw, p, addr, text);
}

/**
 * How long routine line-state refreshes wait to be written together: 5 s,
 * or an eighth of GOIP_OFFLINE_AFTER when that is shorter. With a refresh
 * written at most every 10 s (`LINE_SAVE_EVERY_MS`, or a quarter of
 * GOIP_OFFLINE_AFTER) per line, the stored "last seen" lags by at most 15 s
 * (3/8 of GOIP_OFFLINE_AFTER), well inside the offline limit the CLI, the
 * sender and the metrics judge it by.
 */
export function lineFlushMs(offlineAfterS: number): number {
  return Math.min(5000, offlineAfterS * 125);
}

/** RECEIVEs waiting for the store beyond this are left unacknowledged. */
const MAX_RECEIVES_IN_FLIGHT = 5000;

/** Event names counted by name; any other (device-chosen) name is "event". */
const COUNTED_EVENTS = new Set([
  "STATE",
  "REMAIN",
  "EXPIRY",
  "USSN",
  "CELLS",
  "BCCH",
  "CELLINFO",
  "CGATT",
]);

/** A bounded metric label for a packet. */
function metricType(p: ReturnType<typeof parseDatagram>): string {
  if (p.type !== "event") return p.type;
  const name = p.name.toUpperCase();
  return COUNTED_EVENTS.has(name) ? name.toLowerCase() : "event";
}

/**
 * Check an event's id/password (and the pinned address); logs and counts a
 * refusal. Returns the gateway when the event may be handled.
 */
export async function authorize(
  ctx: InboundContext,
  what: string,
  id: string,
  password: string,
  addr: string,
): Promise<Gateway | undefined> {
  const auth = await ctx.gateways.authenticate(id, password);
  if (!auth.ok) {
    ctx.metrics?.authFailures.inc();
    ctx.onAuthFailure?.(addr);
    ctx.log.warn(
      `udp <- ${addr}: ${what} for ${JSON.stringify(id)} refused (${auth.why})`,
    );
    return undefined;
  }
  if (ctx.config.GOIP_PIN_ADDRESS) {
    const pinned = ctx.lines.get(id)?.addr;
    if (pinned && pinned !== addr) {
      ctx.metrics?.authFailures.inc();
      ctx.onAuthFailure?.(addr);
      ctx.log.warn(
        `udp <- ${addr}: ${what} for ${id} refused (line is pinned to ${pinned})`,
      );
      return undefined;
    }
  }
  return auth.gateway;
}

async function receive(
  ctx: InboundContext,
  gw: Gateway,
  p: ReceivePacket,
  addr: string,
): Promise<void> {
  let result: "stored" | "duplicate";
  try {
    result = await ctx.receives.store(
      {
        goipId: gw.goipId,
        ext: gw.ext,
        n: p.n,
        srcnum: p.srcnum,
        body: p.msg,
        delivery: incomingSms(gw, p.srcnum, p.msg, ctx.config),
      },
    );
  } catch (err) {
    // No ack: the GoIP sends it again.
    ctx.log.error(
      `sms from ${p.srcnum} on ${gw.goipId} not stored, not acknowledged: ${
        maskSecrets(String(err))
      }`,
    );
    return;
  }
  await ctx.reply(addr, formatAck("RECEIVE", p.n), "ack");
  if (result === "duplicate") {
    ctx.log.debug(`sms RECEIVE ${p.n} on ${gw.goipId}: retransmission, acked`);
    return;
  }
  ctx.metrics?.smsIn.inc();
  ctx.log.info(
    `sms in on ${gw.goipId} from ${p.srcnum} for ext ${gw.ext} (${p.msg.length} chars)`,
  );
  ctx.hub.emit("inbox", undefined);
}
