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
 * Check an event's id/password (and the pinned address). Returns the
 * gateway when the event may be handled; a refusal is counted and logged.
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
  if (ctx.config().GOIP_PIN_ADDRESS) {
    const pinned = ctx.lines.get(id)?.addr;
    if (pinned && pinned !== addr) {
      refuse(
        ctx,
        addr,
        `${what} for ${id} refused (line is pinned to ${pinned})`,
      );
      return undefined;
    }
  }
  return auth.gateway;
}

/** A failed authentication from `addr`: metric, log line, rate limit. */
export function refuse(ctx: InboundContext, addr: string, why: string): void {
  ctx.metrics?.authFailures.inc();
  ctx.guard.failed(addr, why);
  ctx.log.warn(`udp <- ${addr}: ${why}`);
}
