/**
 * The inbound side, assembled: the shared context of the handlers, the line
 * offline watch, and the way in for datagrams (`dispatch.ts`). Everything a
 * GoIP sends on its own (keepalives, RECEIVE, DELIVER, calls, USSN, …) is
 * authenticated, persisted, then acknowledged; command replies are passed
 * to the outbound driver through the hub.
 *
 * @module
 */

import { instanceId } from "../instances/liveness.ts";
import { GatewayCache } from "./auth.ts";
import { snapshotGateways, snapshotRunner } from "./gateway_snapshot.ts";
import {
  GATEWAY_CHECK_EVERY_MS,
  GATEWAY_SWEEP_EVERY_MS,
  LINE_CHECK_EVERY_MS,
  lineFlushMs,
} from "./cadence.ts";
import type { InboundContext, InboundDeps } from "./context.ts";
import { handleDatagram } from "./dispatch.ts";
import { LineSaver } from "./line_saver.ts";
import { LineWatch } from "./line_watch.ts";
import { ReceiveBatcher } from "./receive_batch.ts";
import { SourceGuard } from "./source_guard.ts";
import { replaySpooled } from "./spool_replay.ts";
import { Spooler } from "./spooler.ts";

/** The running inbound part. */
export interface Inbound {
  /** Handle one datagram's text (the endpoint's `onDatagram`). */
  handle(text: string, addr: string): Promise<void>;
  /**
   * Whether datagrams from `ip` are taken at all (the endpoint's
   * `allowSource`): GOIP_ALLOW_SOURCES, and no block after failed
   * authentications.
   */
  admits(ip: string): boolean;
  /**
   * After a SIGHUP: forget the cached gateways (the config itself is read
   * through the getter the inbound side was given).
   */
  reload(): void;
  /**
   * The store answers after a start without it (`storeAway`): read the
   * line states and refresh the gateways' snapshot.
   */
  storeBack(): Promise<void>;
  /**
   * Resolves once the line memory and the snapshot taken at start are
   * done (they run in the background; the socket answers meanwhile).
   */
  warmedUp(): Promise<void>;
  /** Events waiting in the local spool for the store. */
  spoolDepth(): number;
  /**
   * Store-or-spool for other parts' writes that must not be lost while the
   * store is away (the outcome of a send): `write`, or when the store fails
   * or hangs, or the spool is not empty, spool `rec` (replayed in order
   * through {@linkcode InboundDeps.replayOther}).
   */
  persist: Spooler["persist"];
  /** Spooled records of packet `type` waiting for replay. */
  spooledOfType(type: string): number;
  /** Wait until every RECEIVE taken so far is stored and acknowledged. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Start the inbound handlers and the line offline watch. */
export function startInbound(deps: InboundDeps): Promise<Inbound> {
  const now = deps.now ?? Date.now;
  const file = deps.spoolFile ?? null;
  let stopped = false;
  const isStopped = () => stopped;
  const snapshots = snapshotRunner(() =>
    file
      ? snapshotGateways(deps.store, file, deps.log, isStopped)
      : Promise.resolve()
  );
  // Never inside the look-up that noticed the change: the next macrotask.
  const snapshot = () =>
    new Promise<void>((r) => setTimeout(r, 0)).then(() => snapshots.request());
  const ctx: InboundContext = {
    ...deps,
    instanceId: deps.instanceId ?? instanceId(deps.config()),
    now,
    gateways: new GatewayCache(deps.store, {
      checkEveryMs: deps.cacheMs ?? GATEWAY_CHECK_EVERY_MS,
      now,
      onVersion: () => void snapshot(),
    }),
    guard: new SourceGuard(
      deps.config,
      deps.log,
      now,
      (ip, why, blockS) => deps.hub.emit("authBlocked", { ip, why, blockS }),
    ),
    lines: new LineWatch({
      hub: deps.hub,
      log: deps.log,
      config: deps.config,
      now,
      checkEveryMs: LINE_CHECK_EVERY_MS,
    }),
    calls: new Map(),
    spool: new Spooler({
      file: deps.spoolFile ?? null,
      log: deps.log,
      replay: (r) => replaySpooled(ctx, r),
      probe: () => deps.store.ping(),
    }),
    inFlight: new Set(),
    saver: new LineSaver({
      store: deps.store,
      log: deps.log,
      flushMs: () => lineFlushMs(ctx.config().GOIP_OFFLINE_AFTER),
    }),
    receives: new ReceiveBatcher({
      store: deps.store,
      windowMs: () => ctx.config().RECEIVE_DEDUPE_MINUTES * 60_000,
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
  const storeBack = async () => {
    await ctx.lines.seed(deps.store, isStopped);
    await snapshot();
  };
  // The work over the whole fleet (line memory, snapshot) runs in the
  // background, a page at a time: the first keepalive is answered at once,
  // whatever the fleet's size (gateways are looked up on demand).
  let warming: Promise<void> = Promise.resolve();
  if (deps.storeAway) ctx.gateways.seed(file?.loadGateways() ?? []);
  else {
    warming = new Promise<void>((r) => setTimeout(r, 0))
      .then(storeBack)
      .catch((err) =>
        deps.log.warn(`inbound: reading the line states: ${err}`)
      );
  }
  ctx.lines.start();
  let sweep: Promise<void> | null = null;
  const sweeps = setInterval(() => {
    sweep ??= ctx.gateways.sweep(isStopped)
      .catch((err) => deps.log.debug(`inbound: gateway refresh: ${err}`))
      .finally(() => sweep = null);
  }, GATEWAY_SWEEP_EVERY_MS);
  ctx.spool.start();
  return Promise.resolve({
    handle: (text, addr) => handleDatagram(ctx, text, addr),
    admits: (ip) => ctx.guard.admits(ip),
    storeBack,
    spoolDepth: () => ctx.spool.depth(),
    persist: ctx.spool.persist.bind(ctx.spool),
    spooledOfType: (type) => ctx.spool.depthOfType(type),
    reload() {
      ctx.gateways.clear();
    },
    async drain() {
      while (ctx.inFlight.size > 0) await Promise.all([...ctx.inFlight]);
    },
    warmedUp: () => warming,
    async stop() {
      stopped = true;
      clearInterval(sweeps);
      ctx.lines.stop();
      await warming;
      await sweep;
      while (ctx.inFlight.size > 0) await Promise.all([...ctx.inFlight]);
      await ctx.spool.stop();
      await ctx.saver.stop();
    },
  });
}
