/**
 * The outbound driver: takes queued SMS/USSD from the outbox and hands them
 * to the GoIP lines, one item at a time per line, through the pure sender
 * state machine (`src/goip/sender.ts`).
 *
 * - A line is served only while it is online (`lineOnline`: an address is
 *   known and its last keepalive is at most GOIP_OFFLINE_AFTER seconds old).
 * - Before the first datagram of an attempt the row becomes `sending` with its
 *   sendid, so an attempt cut short by a crash is found at the next start and
 *   reported as uncertain (never resent).
 * - Replies arrive through the hub (`reply` events) and are matched by the
 *   line's address and the sendid in flight.
 * - Wakes on the hub's `outbox` and `line` events and polls the outbox every
 *   `pollMs` (the CLI writes the database from another process).
 * - Expires items older than QUEUE_TTL.
 * - An item is tried again only after a `retry` outcome of the sender (the
 *   GoIP refused before sending anything: SIM not registered, too busy; see
 *   `src/goip/sender_sms.ts`): `attempt.ts` puts the row back to `queued`
 *   and pauses the line, and this driver picks it up when the pause ends. A
 *   failed, expired or uncertain item is final.
 * - Never hands the GoIP a USSD request older than USSD_TTL: it fails at the
 *   head of its line's queue, whether or not the line is online.
 * - `stop()` abandons an attempt in flight: its row stays `sending` and is
 *   reported as uncertain at the next start.
 *
 * @module
 */

import type { LiveConfig } from "../config/live.ts";
import type { Hub } from "../hub.ts";
import type { GoippyMetrics } from "../metrics/goippy.ts";
import type { Logger } from "../log.ts";
import { lineOnline } from "../line_online.ts";
import type { OutboxItem, Store } from "../store/types.ts";
import {
  type AttemptContext,
  type GoipTransport,
  type InFlight,
  routeReply,
  runAttempt,
  type Timer,
} from "./attempt.ts";
import { reportFinal, reportLateReply } from "./report.ts";
import type { ReplyPacket } from "../goip/types.ts";
import { DEFAULT_TIMINGS, type SenderTimings } from "../goip/sender.ts";
import { expiredText, interruptedText, noGatewayText } from "../notices/mod.ts";
import { ussdStaleText } from "./ussd_live.ts";

export type { GoipTransport } from "./attempt.ts";

/** How long a reply to an attempt that gave up is still taken (10 min). */
const LATE_REPLY_MS = 600_000;

/** What {@linkcode startOutbound} needs. */
export interface OutboundDeps {
  store: Store;
  hub: Hub;
  transport: GoipTransport;
  /** The config in force (SMS_SEND_MODE, QUEUE_TTL, USSD_TTL, GOIP_OFFLINE_AFTER are live). */
  config: LiveConfig;
  log: Logger;
  /** Clock (epoch ms); defaults to `Date.now`. */
  now?: () => number;
  /** Override sender timings (tests use short ones). */
  timings?: Partial<SenderTimings>;
  /** Outbox poll period; default 1000 ms. */
  pollMs?: number;
  /** Counts SMS sent/failed when given. */
  metrics?: GoippyMetrics;
  /** Expiry check period; default 30 000 ms. */
  expireEveryMs?: number;
}

/** A running driver. */
export interface Outbound {
  /**
   * After a SIGHUP: expire and look at the queues at once (a shorter
   * QUEUE_TTL may have expired items, a longer GOIP_OFFLINE_AFTER made lines
   * servable). The settings themselves are read through the config getter:
   * SMS_SEND_MODE at the next attempt, QUEUE_TTL and USSD_TTL at each expiry check,
   * GOIP_OFFLINE_AFTER at each look at a line.
   */
  reload(): void;
  /** Stop polling and abandon attempts in flight; resolves when idle. */
  stop(): Promise<void>;
}

/** Start the outbound driver. */
export function startOutbound(deps: OutboundDeps): Outbound {
  return new OutboundDriver(deps);
}

class OutboundDriver implements Outbound {
  #d: OutboundDeps;
  #now: () => number;
  #timings: SenderTimings;
  #stopped = false;
  /** False until interrupted sends of the last run have been dealt with. */
  #ready = false;
  #starting = false;
  #tasks = new Set<Promise<void>>();
  #workers = new Set<string>();
  #inFlight = new Map<string, InFlight>();
  /** Attempts that gave up, by `addr sendid`, while a late reply may come. */
  #late = new Map<string, { item: OutboxItem; untilMs: number }>();
  #pausedUntil = new Map<string, number>();
  #timers = new Set<Timer>();
  #unsubscribe: (() => void)[] = [];
  #lock: Promise<unknown> = Promise.resolve();
  #pumping = false;
  #pumpAgain = false;
  #attemptCtx: AttemptContext;

  constructor(deps: OutboundDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    this.#attemptCtx = {
      ...deps,
      timings: this.#timings,
      now: this.#now,
      stopped: () => this.#stopped,
      inFlight: this.#inFlight,
      timers: this.#timers,
      pauseLine: (goipId, untilMs) => this.#pauseLine(goipId, untilMs),
      gaveUp: (addr, sendid, item) => {
        this.#late.set(`${addr} ${sendid}`, {
          item,
          untilMs: this.#now() + LATE_REPLY_MS,
        });
      },
    };
    const { hub } = deps;
    this.#unsubscribe.push(
      hub.on("reply", (r) => this.#onReply(r.addr, r.reply)),
      hub.on("outbox", () => this.#pump()),
      // Only a line coming back can unblock its queue; routine keepalives
      // would cost a queue query each (the 1 s poll covers the rest).
      hub.on("line", (e) => {
        if (e.cameOnline) this.#pump();
      }),
    );
    this.#track(this.#startup());
    // Polling also retries a start-up that failed (e.g. database away).
    this.#every(deps.pollMs ?? 1000, () => {
      if (this.#ready) this.#pump();
      else if (!this.#starting) this.#track(this.#startup());
    });
    this.#every(
      deps.expireEveryMs ?? 30_000,
      () => this.#track(this.#expire()),
    );
  }

  reload(): void {
    if (this.#ready) this.#track(this.#expire());
    this.#pump();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const u of this.#unsubscribe) u();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const f of this.#inFlight.values()) f.wake?.();
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  async #startup(): Promise<void> {
    this.#starting = true;
    try {
      const rows = await this.#d.store.markInterruptedUncertain();
      for (const item of rows) {
        const text = interruptedText(item.kind);
        await reportFinal(this.#d, item, "uncertain", text);
      }
      await this.#expire();
      this.#ready = true;
    } finally {
      this.#starting = false;
    }
    this.#pump();
  }

  #track(p: Promise<void>): void {
    const t = p.catch((err) =>
      this.#d.log.error(`outbound: ${(err as Error).message ?? err}`)
    ).finally(() => this.#tasks.delete(t));
    this.#tasks.add(t);
  }

  #every(ms: number, fn: () => void): void {
    const id = setInterval(() => {
      if (!this.#stopped) fn();
    }, ms);
    this.#timers.add(id);
  }

  /** Run `fn` alone: picking an item and expiring never interleave. */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  async #expire(): Promise<void> {
    const ttl = this.#d.config().QUEUE_TTL;
    if (this.#stopped || ttl <= 0) return;
    const rows = await this.#locked(() =>
      this.#d.store.expireQueued(this.#now() - ttl * 1000)
    );
    for (const item of rows) {
      await reportFinal(this.#d, item, "expired", expiredText(item.kind, ttl));
    }
  }

  /** Look for lines with queued items and start a worker for each idle one. */
  #pump(): void {
    if (this.#stopped || !this.#ready) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    this.#track(
      (async () => {
        try {
          const now = this.#now();
          for (const goipId of await this.#d.store.linesWithQueued()) {
            if (this.#stopped) return;
            if (this.#workers.has(goipId)) continue;
            if ((this.#pausedUntil.get(goipId) ?? 0) > now) continue;
            this.#workers.add(goipId);
            this.#track(
              this.#work(goipId).finally(() => this.#workers.delete(goipId)),
            );
          }
        } finally {
          this.#pumping = false;
          if (this.#pumpAgain) {
            this.#pumpAgain = false;
            this.#pump();
          }
        }
      })(),
    );
  }

  /** Serve one line until its queue is empty or it cannot be served now. */
  async #work(goipId: string): Promise<void> {
    const { store } = this.#d;
    while (!this.#stopped) {
      if ((this.#pausedUntil.get(goipId) ?? 0) > this.#now()) return;
      const gw = await store.gatewayByGoipId(goipId);
      if (!gw) {
        const item = await store.nextQueued(goipId);
        if (!item) return;
        await reportFinal(
          this.#d,
          item,
          "failed",
          noGatewayText(item.kind, goipId),
        );
        continue;
      }
      if (await this.#failStaleUssd(goipId)) continue;
      const line = await store.lineState(goipId);
      if (
        !gw.enabled || !line ||
        !lineOnline(line, this.#now(), this.#d.config())
      ) {
        return;
      }
      const picked = await this.#locked(async () => {
        if (this.#stopped) return undefined;
        const item = await store.nextQueued(goipId);
        if (!item) return undefined;
        const sendid = await store.nextSendId(goipId);
        // Compare-and-set: the user may have withdrawn or corrected the item
        // since it was read; the claimed row carries the text to send.
        const claimed = await store.claimQueued(
          item.id,
          sendid,
          item.attempts + 1,
        );
        return claimed ? { item: claimed, sendid } : "withdrawn";
      });
      if (picked === "withdrawn") continue;
      if (!picked) return;
      await runAttempt(this.#attemptCtx, picked.item, {
        sendid: picked.sendid,
        password: gw.goipPass,
        addr: line.addr,
      });
    }
  }

  /**
   * Fail the line's next queued item when it is a USSD request older than
   * USSD_TTL (a USSD code is an action taken now, never later); true when
   * it did.
   */
  async #failStaleUssd(goipId: string): Promise<boolean> {
    const stale = await this.#locked(async () => {
      const item = await this.#d.store.nextQueued(goipId);
      if (item?.kind !== "ussd") return undefined;
      const ttl = this.#d.config().USSD_TTL;
      const text = ussdStaleText(item.createdMs, this.#now(), ttl);
      if (!text) return undefined;
      await this.#d.store.updateOutbox(item.id, {
        state: "failed",
        error: text,
      });
      return { item, text };
    });
    if (!stale) return false;
    await reportFinal(this.#d, stale.item, "failed", stale.text);
    return true;
  }

  #onReply(addr: string, reply: ReplyPacket): void {
    if (routeReply(this.#inFlight, addr, reply)) return;
    const now = this.#now();
    for (const [key, late] of this.#late) {
      if (late.untilMs < now) this.#late.delete(key);
    }
    const key = `${addr} ${reply.sendid}`;
    const late = this.#late.get(key);
    if (late && (reply.kind === "ok" || reply.kind === "ussd")) {
      this.#late.delete(key); // the first answer counts, repeats do not
      this.#track(reportLateReply(this.#d, late.item, reply).then(() => {}));
      return;
    }
    this.#d.log.debug(
      `udp <- ${addr}: ${reply.kind} for sendid ${reply.sendid} not in flight`,
    );
  }

  #pauseLine(goipId: string, untilMs: number): void {
    this.#pausedUntil.set(goipId, untilMs);
    const id = setTimeout(() => {
      this.#timers.delete(id);
      this.#pausedUntil.delete(goipId);
      this.#pump();
    }, Math.max(0, untilMs - this.#now()));
    this.#timers.add(id);
  }
}
