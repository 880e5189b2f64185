/**
 * Replay of spooled events into the store, as if each arrived again at its
 * first arrival time: RECEIVEs through the RECEIVE dedupe (a run of them in
 * one transaction), other events through `persistEvent` (the event dedupe).
 * An event that reached the store as well (a write that timed out and
 * committed later) is a duplicate.
 *
 * @module
 */

import type { ReceivePacket } from "../goip/types.ts";
import type { SpoolRecord } from "../spool/spool_file.ts";
import type { Gateway } from "../store/types.ts";
import type { InboundContext } from "./context.ts";
import { persistEvent, type SpoolableEvent } from "./events.ts";
import { incoming, received } from "./receive.ts";

type Outcome = "stored" | "duplicate";

/** RECEIVEs stored per transaction on replay. */
const RECEIVE_RUN = 200;

/**
 * RECEIVEs of one transaction arrived within this time of the first (they
 * share its time: the inbox rows' time, hence the users' delay stamps).
 */
const RUN_SPAN_MS = 1000;

/**
 * Move the first of `rs` (oldest first), or a run of RECEIVEs at its head,
 * into the store; resolves with the outcome of each event moved (a
 * non-empty prefix of `rs`).
 */
export async function replaySpooled(
  ctx: InboundContext,
  rs: SpoolRecord[],
): Promise<Outcome[]> {
  const gateways = new Map<string, Gateway | undefined>();
  const gateway = async (goipId: string) => {
    if (!gateways.has(goipId)) {
      gateways.set(goipId, await ctx.store.gatewayByGoipId(goipId));
    }
    return gateways.get(goipId);
  };
  const first = JSON.parse(rs[0].packet) as
    | ReceivePacket
    | SpoolableEvent
    | { type: "outbound" };
  if (first.type === "outbound") {
    if (!ctx.replayOther) throw new Error("no replayer for a send's outcome");
    return [await ctx.replayOther(first)];
  }
  if (first.type !== "receive") {
    const gw = await gateway(rs[0].goipId);
    if (!gw) return [dropped(ctx, rs[0])];
    const then: InboundContext = { ...ctx, now: () => rs[0].atMs };
    return [await persistEvent(then, gw, first, rs[0].text)];
  }
  const run: { r: SpoolRecord; p: ReceivePacket; gw?: Gateway }[] = [];
  for (const r of rs) {
    if (run.length >= RECEIVE_RUN || r.atMs - rs[0].atMs > RUN_SPAN_MS) break;
    const p = JSON.parse(r.packet) as ReceivePacket | SpoolableEvent;
    if (p.type !== "receive") break;
    run.push({ r, p, gw: await gateway(r.goipId) });
  }
  const atMs = rs[0].atMs;
  const then: InboundContext = { ...ctx, now: () => atMs };
  const kept = run.filter((x) => x.gw);
  const outs = kept.length === 0 ? [] : await ctx.store.storeIncomingBatch(
    kept.map((x) => incoming(then, x.gw!, x.p)),
    ctx.config().RECEIVE_DEDUPE_MINUTES * 60_000,
    atMs,
  );
  const byId = new Map(kept.map((x, i) => [x.r.id, outs[i]]));
  return run.map((x) => {
    if (!x.gw) return dropped(ctx, x.r);
    const out = byId.get(x.r.id)!;
    if (out === "stored") received(ctx, x.gw, x.p);
    return out;
  });
}

/** An event of a gateway removed meanwhile: nothing to store it for. */
function dropped(ctx: InboundContext, r: SpoolRecord): Outcome {
  ctx.log.warn(
    `spool: event ${r.id} for ${r.goipId} dropped: the gateway was removed`,
  );
  return "duplicate";
}
