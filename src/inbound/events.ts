/**
 * Authenticated GoIP events other than RECEIVE: delivery reports, call
 * records, unsolicited USSD and the rest (STATE, REMAIN, EXPIRY, CELLS, …).
 * Each is persisted first (in the store, or in the spool while the store is
 * away: `spooler.ts`), then acknowledged `NAME <n> OK`; when neither takes
 * it nothing is acknowledged, so the GoIP sends it again. A retransmission
 * (same line, name, counter and content within RECEIVE_DEDUPE_MINUTES) is
 * acknowledged again and changes nothing.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { maskSecrets } from "../log.ts";
import type { EventKey, Gateway } from "../store/types.ts";
import {
  callEnded,
  deliveryReceipt,
  notDeliveredText,
  sendError,
  toldOverXmpp,
  unsolicitedUssd,
} from "../notices/mod.ts";
import { formatAck } from "../goip/format.ts";
import type { InboundContext } from "./context.ts";
import type {
  DeliverPacket,
  HangupPacket,
  OtherEventPacket,
  RecordPacket,
} from "../goip/types.ts";

/** A second RECORD for the same number within this time is the same call. */
const SAME_CALL_MS = 60_000;

/** DELIVER reports match SMS handed over in the last hour only (sms_no wraps). */
const DELIVER_MATCH_MS = 3_600_000;

/** Handle one authenticated event and acknowledge it. */
export async function handleEvent(
  ctx: InboundContext,
  gw: Gateway,
  p: DeliverPacket | RecordPacket | HangupPacket | OtherEventPacket,
  addr: string,
  text: string,
): Promise<void> {
  const name = p.type === "event" ? p.name : p.type.toUpperCase();
  const at = ctx.now();
  try {
    await ctx.spool.persist(
      () => ({
        atMs: at,
        goipId: gw.goipId,
        packet: JSON.stringify({ ...p, password: "" }),
        text: maskSecrets(text),
      }),
      () => persistEvent(ctx, gw, p, text),
    );
  } catch (err) {
    ctx.log.error(
      `${name} ${p.n} on ${gw.goipId} not stored, not acknowledged: ${
        maskSecrets(String(err))
      }`,
    );
    return;
  }
  await ctx.reply(addr, formatAck(name, p.n), "ack");
}

/** An event that may be spooled and replayed. */
export type SpoolableEvent =
  | DeliverPacket
  | RecordPacket
  | HangupPacket
  | OtherEventPacket;

/**
 * Store one event's effects unless it is a retransmission ("duplicate").
 * The dedupe mark is written after the effects: a crash between the two
 * repeats an effect rather than losing it.
 */
export async function persistEvent(
  ctx: InboundContext,
  gw: Gateway,
  p: SpoolableEvent,
  text: string,
): Promise<"stored" | "duplicate"> {
  const key = eventKey(gw, p);
  const windowMs = ctx.config().RECEIVE_DEDUPE_MINUTES * 60_000;
  if (key && await ctx.store.eventSeen(key, ctx.now() - windowMs)) {
    ctx.log.debug(`${key.kind} ${p.n} on ${gw.goipId}: retransmission`);
    return "duplicate";
  }
  if (p.type === "deliver") await deliver(ctx, gw, p);
  else if (p.type === "record") await record(ctx, gw, p, text);
  else if (p.type === "hangup") await hangup(ctx, gw, p, text);
  else await other(ctx, gw, p);
  if (key) await ctx.store.markEventSeen(key, ctx.now(), ctx.now() - windowMs);
  return "stored";
}

/**
 * The dedupe key of an event whose repetition would show (a second traffic
 * row, call row or notice); undefined for the others (STATE, REMAIN, …).
 */
export function eventKey(
  gw: Gateway,
  p: SpoolableEvent,
): EventKey | undefined {
  let content: unknown[];
  if (p.type === "deliver") content = [p.smsNo, p.state, p.num];
  else if (p.type === "record") content = [p.direction, p.num, p.cause];
  else if (p.type === "hangup") content = [p.num, p.cause];
  else if (p.name.toUpperCase() === "USSN") content = [p.msg];
  else return undefined;
  const kind = p.type === "event" ? "USSN" : p.type.toUpperCase();
  const hash = createHash("sha256").update(JSON.stringify(content))
    .digest("hex").slice(0, 32);
  return { goipId: gw.goipId, kind, n: p.n, hash };
}

async function deliver(
  ctx: InboundContext,
  gw: Gateway,
  p: DeliverPacket,
): Promise<void> {
  const { store } = ctx;
  if (p.state === null) return await stateUnknown(ctx, gw, p);
  const ok = p.state === 0;
  await store.logTraffic({
    dir: "in",
    kind: "deliver",
    goipId: gw.goipId,
    ext: gw.ext,
    number: p.num,
    xmppJid: "",
    body: `sms_no:${p.smsNo} state:${p.state}`,
    status: ok ? "delivered" : "failed",
  });
  const item = await store.findSentBySmsNo(
    gw.goipId,
    p.smsNo,
    ctx.now() - DELIVER_MATCH_MS,
  );
  if (!item) {
    ctx.log.info(
      `delivery report sms_no ${p.smsNo} on ${gw.goipId} (state ${p.state}): no recent send matches`,
    );
    return;
  }
  const to = item.number || p.num;
  const told = toldOverXmpp(item);
  // The row's new state and the user's receipt or error in one transaction:
  // a store lost between two writes would leave the report applied and the
  // user never told (a retransmission finds the row no longer `sent`).
  const notice = !told
    ? undefined
    : ok
    ? (item.wantReceipt ? deliveryReceipt(item) : undefined)
    : sendError(item, notDeliveredText(to));
  const changed = await store.finishOutbox(
    item.id,
    {
      state: ok ? "delivered" : "failed",
      error: ok ? "" : `${notDeliveredText(to)} (state ${p.state})`,
    },
    { state: "sent" },
    notice,
  );
  // Another instance took the same report first: it tells the user.
  if (!changed) return;
  ctx.log.info(
    `sms #${item.id} to ${to} on ${gw.goipId} ${
      ok ? "delivered" : `not delivered (state ${p.state})`
    }`,
  );
  if (!notice) return;
  ctx.hub.emit("inbox", undefined);
}

/**
 * A report without a state says nothing about the delivery: it is logged
 * and acknowledged, and the SMS stays `sent` (the user is told neither
 * "delivered" nor "failed"; a later report with a state may still match).
 */
async function stateUnknown(
  ctx: InboundContext,
  gw: Gateway,
  p: DeliverPacket,
): Promise<void> {
  await ctx.store.logTraffic({
    dir: "in",
    kind: "deliver",
    goipId: gw.goipId,
    ext: gw.ext,
    number: p.num,
    xmppJid: "",
    body: `sms_no:${p.smsNo} state:`,
    status: "unknown",
  });
  ctx.log.info(
    `delivery report sms_no ${p.smsNo} on ${gw.goipId} without a state: ` +
      "nothing known about the delivery, the SMS stays sent",
  );
}

async function record(
  ctx: InboundContext,
  gw: Gateway,
  p: RecordPacket,
  text: string,
): Promise<void> {
  const open = ctx.calls.get(gw.goipId);
  if (
    open && open.num === p.num && open.direction === p.direction &&
    ctx.now() - open.atMs < SAME_CALL_MS
  ) {
    // Without NTP the GoIP may send two RECORDs for one call.
    ctx.log.debug(`RECORD ${p.n} on ${gw.goipId}: same call as before`);
    return;
  }
  const line = ctx.lines.get(gw.goipId);
  await ctx.store.recordCall({
    ts: Math.floor(ctx.now() / 1000),
    goipId: gw.goipId,
    ext: gw.ext,
    direction: p.direction,
    remoteNum: p.num,
    cause: p.cause,
    msisdn: line?.msisdn || gw.msisdn,
    raw: maskSecrets(text).slice(0, 255),
  });
  ctx.calls.set(gw.goipId, {
    num: p.num,
    direction: p.direction,
    atMs: ctx.now(),
    states: [],
  });
  ctx.log.info(
    `call ${p.direction === 2 ? "to" : "from"} ${p.num || "?"} on ${gw.goipId}`,
  );
}

async function hangup(
  ctx: InboundContext,
  gw: Gateway,
  p: HangupPacket,
  text: string,
): Promise<void> {
  const { store } = ctx;
  const raw = maskSecrets(text).slice(0, 255);
  let call = await store.completeCall(
    gw.goipId,
    p.num,
    p.cause,
    raw,
    ctx.now(),
  );
  if (!call) {
    // A HANGUP without RECORD: keep a row of it anyway.
    await store.recordCall({
      ts: Math.floor(ctx.now() / 1000),
      goipId: gw.goipId,
      ext: gw.ext,
      direction: 0,
      remoteNum: p.num,
      cause: p.cause,
      msisdn: ctx.lines.get(gw.goipId)?.msisdn || gw.msisdn,
      raw,
    });
    call = await store.completeCall(gw.goipId, p.num, p.cause, raw, ctx.now());
  }
  const states = ctx.calls.get(gw.goipId)?.states;
  ctx.calls.delete(gw.goipId);
  ctx.log.info(`call on ${gw.goipId} ended: ${p.cause || "no cause"}`);
  if (!call) return;
  ctx.hub.emit("callEnded", { callId: call.id });
  const config = ctx.config();
  if (call.direction !== 1 || !config.CALL_NOTIFY) return;
  const num = call.remoteNum || p.num;
  await store.enqueueInbox(callEnded(gw, num, p.cause, states, config));
  ctx.hub.emit("inbox", undefined);
}

async function other(
  ctx: InboundContext,
  gw: Gateway,
  p: OtherEventPacket,
): Promise<void> {
  const name = p.name.toUpperCase();
  const f = p.fields;
  if (name === "STATE") {
    ctx.calls.get(gw.goipId)?.states.push(f.gsm_remain_state ?? "");
  } else if (name === "REMAIN") {
    const v = Number(f.gsm_remain_time);
    if (Number.isSafeInteger(v)) {
      const state = ctx.lines.update(gw.goipId, { remainTime: v });
      // Through the saver: a batched older state must not overwrite it.
      if (state) await ctx.saver.now(state);
    }
  } else if (name === "USSN") {
    const text = p.msg.replace(/[@\s]+$/, "");
    const msisdn = ctx.lines.get(gw.goipId)?.msisdn || gw.msisdn;
    const notice = unsolicitedUssd(gw, msisdn, text, ctx.config());
    await ctx.store.logTraffic({
      dir: "in",
      kind: "ussd",
      goipId: gw.goipId,
      ext: gw.ext,
      number: msisdn,
      xmppJid: notice.toJid,
      body: text,
      status: "ussn",
    });
    await ctx.store.enqueueInbox(notice);
    ctx.hub.emit("inbox", undefined);
  }
  ctx.log.debug(`${p.name} ${p.n} on ${gw.goipId}`);
}
