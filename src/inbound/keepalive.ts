/**
 * Keepalives: authenticate, answer `reg:<n>;status:200;` (or 404), learn the
 * line's address and state, announce it on the hub.
 *
 * @module
 */

import type { Gateway, LineState } from "../store/types.ts";
import { formatKeepaliveReply } from "../goip/format.ts";
import { refuse } from "./authorize.ts";
import { lineSaveEveryMs } from "./cadence.ts";
import type { InboundContext } from "./context.ts";
import { sameButTime } from "./line_watch.ts";
import type { KeepalivePacket } from "../goip/types.ts";

/** Handle one keepalive. */
export async function keepalive(
  ctx: InboundContext,
  p: KeepalivePacket,
  addr: string,
): Promise<void> {
  const auth = ctx.gateways.authenticateCached(p.id, p.pass) ??
    await ctx.gateways.authenticate(p.id, p.pass);
  if (!auth.ok) {
    refuse(
      ctx,
      addr,
      `keepalive for ${JSON.stringify(p.id)} refused (${auth.why})`,
    );
    await ctx.reply(addr, formatKeepaliveReply(p.n, 404), "reg");
    return;
  }
  const gw = auth.gateway;
  let known = ctx.lines.get(gw.goipId);
  // A line the store knows but this instance has not learned yet (the line
  // memory is filled in the background at start): learned from the store
  // now, as the start would have, so a restart does not announce it anew.
  let stored: LineState | undefined;
  if (!known) {
    stored = await ctx.store.lineState(gw.goipId).catch(() => undefined);
    if (stored) {
      ctx.lines.seedOne(stored);
      known = ctx.lines.get(gw.goipId);
    }
  }
  const missed = ctx.lines.missedKeepalives(
    gw.goipId,
    ctx.now(),
    ctx.instanceId,
  );
  // With the store away the line is answered as one not seen before: its
  // events go to the spool, and its state is saved once the store is back.
  const prev = known ?? stored;
  const next = lineStateOf(gw, p, addr, prev, ctx.now());
  // The instance answering the keepalive owns the line: the GoIP listens to
  // this socket (through NAT), so only this instance can send to it.
  next.owner = ctx.instanceId;
  // The usual keepalive changes nothing but the time: keep the object
  // goippy already holds (no new long-lived object per keepalive, which is
  // what would make the garbage collector work for 10,000 idle lines).
  let state = next;
  if (known && sameButTime(known, next)) {
    known.lastSeenMs = next.lastSeenMs;
    state = known;
  }
  const everyMs = lineSaveEveryMs(ctx.config().GOIP_OFFLINE_AFTER);
  const save = ctx.lines.needsSave(state, everyMs);
  const cameOnline = ctx.lines.seen(state);
  // What others act on is written before the answer; the rest in a batch.
  // After a silence (the GoIP's keepalives may have gone to another
  // instance, which then owns the line) the owner is written at once.
  const urgent = cameOnline || !prev || prev.addr !== addr ||
    prev.owner !== ctx.instanceId || missed ||
    prev.msisdn !== state.msisdn || prev.ext !== state.ext;
  if (urgent) {
    try {
      await ctx.saver.now(state);
      ctx.lines.saved(gw.goipId, state.lastSeenMs);
    } catch (err) {
      ctx.log.error(`line ${gw.goipId}: saving state failed: ${err}`);
    }
  } else if (save) {
    ctx.saver.later(state);
    ctx.lines.saved(gw.goipId, state.lastSeenMs);
  }
  if (cameOnline) {
    ctx.log.info(
      `line ${gw.goipId} (ext ${gw.ext}) online from ${addr}` +
        (state.msisdn ? `, number ${state.msisdn}` : ""),
    );
  } else if (prev && prev.addr !== addr) {
    ctx.log.info(`line ${gw.goipId} moved from ${prev.addr} to ${addr}`);
  }
  if (prev && prev.owner && prev.owner !== ctx.instanceId) {
    ctx.log.info(
      `line ${gw.goipId}: now owned by this instance (was ${prev.owner})`,
    );
  }
  await ctx.reply(addr, formatKeepaliveReply(p.n, 200), "reg");
  ctx.hub.emit("line", { state, cameOnline });
}

/** What a keepalive seen at `nowMs` says of a line, on top of what was known. */
function lineStateOf(
  gw: Gateway,
  p: KeepalivePacket,
  addr: string,
  prev: LineState | undefined,
  nowMs: number,
): LineState {
  return {
    goipId: gw.goipId,
    ext: gw.ext,
    msisdn: p.num || prev?.msisdn || gw.msisdn,
    addr,
    lastSeenMs: nowMs,
    signal: p.signal,
    gsmStatus: p.gsmStatus,
    voipStatus: p.voipStatus,
    voipState: p.voipState,
    remainTime: p.remainTime ?? prev?.remainTime ?? null,
    provider: p.provider,
    disableStatus: p.disableStatus,
    imei: p.imei || prev?.imei || "",
    imsi: p.imsi || prev?.imsi || "",
    iccid: p.iccid || prev?.iccid || "",
  };
}
