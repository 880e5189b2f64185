/**
 * Authentication of GoIP datagrams, and what a refusal costs the sender: it
 * is counted, logged, and counted against its source address
 * (`source_guard.ts`), which is ignored for a while after too many.
 *
 * @module
 */

import type { Gateway } from "../store/types.ts";
import type { InboundContext } from "./context.ts";

/**
 * Check an event's id/password. Returns the gateway when the event may be
 * handled; a refusal is counted and logged.
 *
 * The password authenticates the event, whatever address it comes from: a
 * GoIP behind NAT may be rebound to a new public port (or its WAN address
 * change) before its next keepalive, and refusing its RECEIVE until then
 * loses the SMS (it gives up after a few resends). Such an event is counted
 * and logged; the line's address still changes only with a keepalive, and
 * replies without a password still count only from that address
 * (`outbound/attempt.ts`).
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
    refuse(
      ctx,
      addr,
      `${what} for ${JSON.stringify(id)} refused (${auth.why})`,
    );
    return undefined;
  }
  const known = ctx.lines.get(auth.gateway.goipId)?.addr;
  if (known && known !== addr) {
    ctx.metrics?.lineAddressChanges.inc();
    ctx.log.info(
      `${what} for ${auth.gateway.goipId} from ${addr}, not the line's ` +
        `address ${known}: accepted on its password (NAT rebinding?)`,
    );
  }
  return auth.gateway;
}

/** A failed authentication from `addr`: metric, log line, rate limit. */
export function refuse(ctx: InboundContext, addr: string, why: string): void {
  ctx.metrics?.authFailures.inc();
  ctx.guard.failed(addr, why);
  ctx.log.warn(`udp <- ${addr}: ${why}`);
}
