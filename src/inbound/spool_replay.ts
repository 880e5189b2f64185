/**
 * Replay of one spooled event into the store, as if it arrived again at its
 * first arrival time: a RECEIVE through the RECEIVE dedupe, other events
 * through `persistEvent` (the event dedupe). An event that reached the store
 * as well (a write that timed out and committed later) is a duplicate.
 *
 * @module
 */

import type { ReceivePacket } from "../goip/types.ts";
import type { SpoolRecord } from "../spool/spool_file.ts";
import type { InboundContext } from "./context.ts";
import { persistEvent, type SpoolableEvent } from "./events.ts";
import { incoming, received } from "./receive.ts";

/** Move one spooled event into the store. */
export async function replaySpooled(
  ctx: InboundContext,
  r: SpoolRecord,
): Promise<"stored" | "duplicate"> {
  const gw = await ctx.store.gatewayByGoipId(r.goipId);
  if (!gw) {
    ctx.log.warn(
      `spool: event ${r.id} for ${r.goipId} dropped: the gateway was removed`,
    );
    return "duplicate";
  }
  const p = JSON.parse(r.packet) as ReceivePacket | SpoolableEvent;
  const then: InboundContext = { ...ctx, now: () => r.atMs };
  if (p.type === "receive") {
    const out = await ctx.store.storeIncomingSms(
      incoming(then, gw, p),
      ctx.config().RECEIVE_DEDUPE_MINUTES * 60_000,
      r.atMs,
    );
    if (out === "stored") received(ctx, gw, p);
    return out;
  }
  return await persistEvent(then, gw, p, r.text);
}
