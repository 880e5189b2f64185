/**
 * One datagram from a GoIP, from text to handler: parse it, count it, and
 * pass it on. Command replies go to the hub (the outbound driver waits for
 * them); keepalives to `keepalive.ts`; every other packet is authenticated
 * (`authorize.ts`) and then handled: RECEIVE in `receive.ts` (not awaited,
 * so RECEIVEs share a commit), everything else in `events.ts`.
 *
 * @module
 */

import { parseDatagram } from "../goip/parse.ts";
import { authorize } from "./authorize.ts";
import type { InboundContext } from "./context.ts";
import { handleEvent } from "./events.ts";
import { keepalive } from "./keepalive.ts";
import { receive } from "./receive.ts";

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

/** A bounded metric label for a packet. */
function metricType(p: ReturnType<typeof parseDatagram>): string {
  if (p.type !== "event") return p.type;
  const name = p.name.toUpperCase();
  return COUNTED_EVENTS.has(name) ? name.toLowerCase() : "event";
}
