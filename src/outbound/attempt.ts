/**
 * One attempt of one outbox item on one line: runs the pure sender state
 * machine (`src/goip/sender.ts`) against the real world — datagrams through the
 * transport, replies from the hub, timers — until it reports an outcome.
 * Used by the outbound driver (`driver.ts`).
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { GoippyMetrics } from "../metrics/goippy.ts";
import type { LiveConfig } from "../config/live.ts";
import type { OutboxItem, Store } from "../store/types.ts";
import type { Hub } from "../hub.ts";
import { maskCommand } from "../goip/format.ts";
import { describeItem, reportFinal, reportOutcome } from "./report.ts";
import {
  type OutcomeSpool,
  recordOutcome,
  recordRequeue,
} from "./outcome_spool.ts";
import {
  checkJob,
  createSender,
  type SenderEvent,
  type SenderTimings,
  type SendJob,
  stepSender,
} from "../goip/sender.ts";
import type { ReplyPacket } from "../goip/types.ts";
import type { SentBatcher } from "./sent_batch.ts";
import { failureText, requeuedText } from "../notices/mod.ts";

/** Sends a datagram from the listening socket (the UDP endpoint implements it). */
export interface GoipTransport {
  send(addr: string, text: string): Promise<void>;
}

/** The attempt in flight on one line, as the reply router sees it. */
export interface InFlight {
  addr: string;
  sendid: number;
  replies: ReplyPacket[];
  wake: (() => void) | null;
}

/** A timer handle. */
export type Timer = ReturnType<typeof setTimeout>;

/** What an attempt needs from its driver. */
export interface AttemptContext {
  store: Store;
  hub: Hub;
  log: Logger;
  /** The config in force. */
  config: LiveConfig;
  transport: GoipTransport;
  timings: SenderTimings;
  now: () => number;
  stopped: () => boolean;
  /** Attempts in flight by goip_id (the attempt adds and removes itself). */
  inFlight: Map<string, InFlight>;
  /** Live timers, cleared by the driver's stop(). */
  timers: Set<Timer>;
  /** Keep the line idle until `untilMs` (e.g. SIM not registered). */
  pauseLine: (goipId: string, untilMs: number) => void;
  /** An attempt gave up without an answer: a late reply may still come. */
  gaveUp: (addr: string, sendid: number, item: OutboxItem) => void;
  /** Counts SMS sent/failed when given. */
  metrics?: GoippyMetrics;
  /** This daemon's instance id (the claimer of the rows it sends). */
  instanceId: string;
  /**
   * Where an outcome goes when the store cannot take it in time (the local
   * spool); absent: the store only.
   */
  spool?: OutcomeSpool;
  /** Records `sent` SMS of many lines together. */
  sentBatch?: SentBatcher;
}

/** Where and how to send: the sendid already persisted with state `sending`. */
export interface AttemptTarget {
  sendid: number;
  password: string;
  /** The line's learned `ip:port`. */
  addr: string;
  /**
   * Called once the GoIP has given its last answer of the attempt (or the
   * attempt gave up on it), before the outcome is written.
   */
  answered?: () => void;
}

/**
 * Run one attempt to its outcome and record it. Returns early (leaving the
 * row `sending`, to be reported uncertain at the next start) when stopped.
 */
export async function runAttempt(
  ctx: AttemptContext,
  item: OutboxItem,
  target: AttemptTarget,
): Promise<void> {
  const { store, log } = ctx;
  const { addr } = target;
  const job: SendJob = {
    kind: item.kind,
    mode: ctx.config().SMS_SEND_MODE,
    sendid: target.sendid,
    telid: item.id,
    password: target.password,
    number: item.number,
    text: item.body,
  };
  const bad = checkJob(job);
  if (bad) {
    await reportOutcome(ctx, item, { state: "failed", reason: bad });
    return;
  }
  const flight: InFlight = {
    addr,
    sendid: target.sendid,
    replies: [],
    wake: null,
  };
  ctx.inFlight.set(item.goipId, flight);
  log.debug(`${describeItem(item)}: sendid ${target.sendid} to ${addr}`);
  let transmitted = false;
  try {
    let step = stepSender(createSender(job, ctx.timings), {
      type: "start",
      nowMs: ctx.now(),
    });
    while (true) {
      let next: SenderEvent | null = null;
      for (const action of step.actions) {
        if (action.type === "send") {
          transmitted = true;
          await transmit(ctx, addr, action.text);
        } else if (action.type === "needSendid") {
          const sid = await store.nextSendId(item.goipId);
          await store.updateOutbox(item.id, { sendid: sid }, {
            state: "sending",
            claimedBy: ctx.instanceId,
          });
          flight.sendid = sid;
          next = { type: "sendid", sendid: sid, nowMs: ctx.now() };
        } else if (action.outcome.state === "retry") {
          const { why, retryAtMs } = action.outcome;
          const secs = Math.round((retryAtMs - ctx.now()) / 1000);
          const text = requeuedText(why, secs);
          target.answered?.();
          const back = await recordRequeue(ctx, item, text);
          if (!back) return;
          log.warn(`${describeItem(item)}: ${text}`);
          ctx.pauseLine(item.goipId, retryAtMs);
          return;
        } else {
          const outcome = action.outcome;
          target.answered?.();
          await recordOutcome(ctx, item, outcome);
          const r = outcome.state === "sent" ? null : outcome.reason.code;
          if (r === "no-final-answer" || r === "ussd-timeout") {
            ctx.gaveUp(addr, flight.sendid, item);
          }
          return;
        }
      }
      next ??= await nextEvent(ctx, flight, step.state.timerAtMs);
      if (next === null) return; // stopped: the row stays `sending`
      step = stepSender(step.state, next);
    }
  } catch (err) {
    // A bug or a database error: say so rather than leave the row `sending`.
    const why = (err as Error).message ?? String(err);
    log.error(`${describeItem(item)}: ${why}`);
    const reason = { code: "internal", why, maybeSent: transmitted } as const;
    await reportFinal(
      ctx,
      item,
      transmitted ? "uncertain" : "failed",
      failureText(item.kind, reason),
    );
  } finally {
    ctx.inFlight.delete(item.goipId);
  }
}

/** Hand a reply to the attempt waiting for it; false when none is. */
export function routeReply(
  inFlight: Map<string, InFlight>,
  addr: string,
  reply: ReplyPacket,
): boolean {
  for (const flight of inFlight.values()) {
    if (flight.addr === addr && flight.sendid === reply.sendid) {
      flight.replies.push(reply);
      flight.wake?.();
      return true;
    }
  }
  return false;
}

async function transmit(
  ctx: AttemptContext,
  addr: string,
  text: string,
): Promise<void> {
  try {
    await ctx.transport.send(addr, text);
  } catch (err) {
    // Treated like a lost datagram: the sender's rules decide what follows
    // (MSG/PASSWORD are sent again after silence, the text never).
    ctx.log.warn(
      `udp -> ${addr} failed (${maskCommand(text).trimEnd()}): ${
        (err as Error).message
      }`,
    );
  }
}

/** The next reply for the attempt, or a tick at `timerAtMs`; null once stopped. */
function nextEvent(
  ctx: AttemptContext,
  flight: InFlight,
  timerAtMs: number | null,
): Promise<SenderEvent | null> {
  return new Promise((resolve) => {
    let timer: Timer | undefined;
    const done = () => {
      if (timer !== undefined) {
        clearTimeout(timer);
        ctx.timers.delete(timer);
      }
      flight.wake = null;
      const reply = flight.replies.shift();
      if (ctx.stopped()) resolve(null);
      else if (reply) resolve({ type: "reply", reply, nowMs: ctx.now() });
      else resolve({ type: "tick", nowMs: ctx.now() });
    };
    if (ctx.stopped() || flight.replies.length > 0) return done();
    flight.wake = done;
    if (timerAtMs !== null) {
      timer = setTimeout(done, Math.max(0, timerAtMs - ctx.now()));
      ctx.timers.add(timer);
    }
  });
}
