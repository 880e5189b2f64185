/**
 * RECEIVE, an SMS that arrived on a line: stored (deduplicated, with the
 * inbox row for the line's user, in one transaction shared with other
 * RECEIVEs) before it is acknowledged, or spooled while the store is away
 * (`spooler.ts`). Neither means not acknowledged: the GoIP sends it again.
 *
 * @module
 */

import { maskSecrets } from "../log.ts";
import { incomingSms } from "../notices/mod.ts";
import type { Gateway, IncomingSms } from "../store/types.ts";
import { formatAck } from "../goip/format.ts";
import type { ReceivePacket } from "../goip/types.ts";
import type { InboundContext } from "./context.ts";

/** Store one RECEIVE, then acknowledge it and wake the XMPP deliverer. */
export async function receive(
  ctx: InboundContext,
  gw: Gateway,
  p: ReceivePacket,
  addr: string,
): Promise<void> {
  const sms = incoming(ctx, gw, p);
  const at = ctx.now();
  let result: "stored" | "duplicate" | "spooled";
  try {
    const r = await ctx.spool.persist(
      () => ({
        atMs: at,
        goipId: gw.goipId,
        packet: JSON.stringify({ ...p, password: "" }),
        text: "",
      }),
      () => ctx.receives.store(sms),
    );
    result = r.how === "stored" ? r.value : "spooled";
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
  if (result === "spooled") {
    ctx.log.debug(`sms RECEIVE ${p.n} on ${gw.goipId}: spooled, acked`);
    return;
  }
  received(ctx, gw, p);
}

/** The SMS of a RECEIVE as the store takes it. */
export function incoming(
  ctx: InboundContext,
  gw: Gateway,
  p: ReceivePacket,
): IncomingSms {
  return {
    goipId: gw.goipId,
    ext: gw.ext,
    n: p.n,
    srcnum: p.srcnum,
    body: p.msg,
    delivery: incomingSms(gw, p.srcnum, p.msg, ctx.config()),
  };
}

/** After a new SMS is in the store: count, log, wake the deliverer. */
export function received(
  ctx: InboundContext,
  gw: Gateway,
  p: ReceivePacket,
): void {
  ctx.metrics?.smsIn.inc();
  // Debug: every SMS is in the traffic log already, and an info line per SMS
  // costs the daemon more than its own ack at thousands per second.
  ctx.log.debug(
    `sms in on ${gw.goipId} from ${p.srcnum} for ext ${gw.ext} (${p.msg.length} chars)`,
  );
  ctx.hub.emit("inbox", undefined);
}
