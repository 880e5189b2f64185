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
 * - Paces SMS per line: the next SMS is handed over no sooner than
 *   SEND_INTERVAL (+ a random share of SEND_JITTER) seconds after the line's
 *   last hand-over as recorded in the database (so a restart or another
 *   instance keeps the pace); the line's worker waits, keeping the order.
 *   USSD is never paced: it is live and a user waits for the answer.
 * - Checks the send limits again at hand-over: an SMS that would exceed one
 *   (queued before the limit was reached or lowered) fails with the limit's
 *   text instead of going out.
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
import {
  checkSendLimit,
  limitsOrPace,
  limitText,
  lineLimits,
  nextSendAtMs,
  usageQuery,
} from "../limits/mod.ts";
import type { Gateway } from "../store/types.ts";
import { deadInstances, instanceId } from "../instances/liveness.ts";

export type { GoipTransport } from "./attempt.ts";

/** How long a reply to an attempt that gave up is still taken (10 min). */
const LATE_REPLY_MS = 600_000;

/** A paced line looks again at least this often (reload, stop, offline). */
const PACE_LOOK_MS = 5_000;

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
  /** Random numbers in [0, 1) for SEND_JITTER; defaults to `Math.random`. */
  random?: () => number;
  /** Override sender timings (tests use short ones). */
  timings?: Partial<SenderTimings>;
  /** Outbox poll period; default 1000 ms. */
  pollMs?: number;
  /** Counts SMS sent/failed when given. */
  metrics?: GoippyMetrics;
  /** Expiry check period; default 30 000 ms. */
  expireEveryMs?: number;
  /**
   * This daemon's instance id (default from the config: INSTANCE_ID or
   * `<hostname>:<GOIP_UDP_PORT>`). Only lines it owns are served.
   */
  instanceId?: string;
  /** How often rows claimed by dead instances are looked for; default 2000 ms. */
  reapEveryMs?: number;
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
  #d: OutboundDeps & { instanceId: string };
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
  /** The paced time of a line's next SMS, by what it was computed from. */
  #paceAt = new Map<string, { from: string; atMs: number }>();
  /** When this driver's last SMS attempt of a line ended (the GoIP had it). */
  #smsEndedAt = new Map<string, number>();
  #wakers = new Set<() => void>();
  #timers = new Set<Timer>();
  #unsubscribe: (() => void)[] = [];
  #lock: Promise<unknown> = Promise.resolve();
  #pumping = false;
  #pumpAgain = false;
  #attemptCtx: AttemptContext;
  /** Dead instances already released, with the heartbeat they died with. */
  #reaped = new Map<string, number>();

  constructor(deps: OutboundDeps) {
    this.#d = {
      ...deps,
      instanceId: deps.instanceId ?? instanceId(deps.config()),
    };
    this.#now = deps.now ?? Date.now;
    this.#timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    this.#attemptCtx = {
      ...this.#d,
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
    this.#every(deps.reapEveryMs ?? 2000, () => {
      if (this.#ready) this.#track(this.#reapDead());
    });
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
    for (const w of this.#wakers) w();
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  async #startup(): Promise<void> {
    this.#starting = true;
    try {
      // Only this instance's own rows (same id as before the restart) and
      // rows from before claims were recorded: another live instance may
      // be waiting for the GoIP's answer to one of its rows right now.
      const rows = await this.#d.store.markInterruptedUncertain(
        [this.#d.instanceId, ""],
        (item) => interruptedText(item.kind),
      );
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

  /**
   * Rows `sending` under an instance seen dead (heartbeat older than
   * INSTANCE_DEAD_AFTER, or stopped) become uncertain, reported once (the
   * move is a compare-and-set), never resent.
   */
  async #reapDead(): Promise<void> {
    const { store, config } = this.#d;
    const rows = await store.instances();
    const beats = new Map(rows.map((i) => [i.instanceId, i.heartbeatMs]));
    // An instance released once holds nothing more until it beats again.
    const dead = deadInstances(
      rows,
      this.#d.instanceId,
      this.#now(),
      config().INSTANCE_DEAD_AFTER,
    ).filter((id) => this.#reaped.get(id) !== beats.get(id));
    if (dead.length === 0 || this.#stopped) return;
    // Inbox rows a dead instance was delivering go out again (once more:
    // the server may have had them). Done here because every instance runs
    // this driver, whichever holds the XMPP side.
    const released = await store.releaseInboxClaims(dead);
    if (released > 0) {
      this.#d.log.info(
        `outbound: ${released} inbox row(s) of dead instance(s) released`,
      );
      this.#d.hub.emit("inbox", undefined);
    }
    const uncertain = await store.markInterruptedUncertain(
      dead,
      (item) => interruptedText(item.kind),
    );
    for (const item of uncertain) {
      this.#d.log.info(
        `outbound: #${item.id} was sending on instance ${item.claimedBy}, ` +
          "which is dead: uncertain",
      );
      await reportFinal(this.#d, item, "uncertain", interruptedText(item.kind));
    }
    for (const id of dead) this.#reaped.set(id, beats.get(id) ?? 0);
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
      this.#d.store.expireQueued(
        this.#now() - ttl * 1000,
        (item) => expiredText(item.kind, ttl),
      )
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
          { state: "queued" },
        );
        continue;
      }
      if (await this.#failStaleUssd(goipId)) continue;
      const line = await store.lineState(goipId);
      if (
        !gw.enabled || !line || line.owner !== this.#d.instanceId ||
        !lineOnline(line, this.#now(), this.#d.config())
      ) {
        // Not this instance's line (another one answers its keepalives and
        // alone can reach it through NAT), or not servable now.
        return;
      }
      // Only a line with limits or a pace has its next item looked at first.
      let checkedId: number | undefined;
      if (limitsOrPace(lineLimits(gw, this.#d.config()))) {
        const head = await store.nextQueued(goipId);
        if (!head) return;
        if (head.kind === "sms") {
          if (await this.#failOverLimit(gw, head)) continue;
          const waitMs = await this.#paceWaitMs(gw);
          if (waitMs > 0) {
            await this.#sleep(Math.min(waitMs, PACE_LOOK_MS));
            continue;
          }
        }
        checkedId = head.id;
      }
      const picked = await this.#locked(async () => {
        if (this.#stopped) return undefined;
        const item = await store.nextQueued(goipId);
        if (!item) return undefined;
        // Another item than the one checked (the checked one expired
        // meanwhile): look again.
        if (checkedId !== undefined && item.id !== checkedId) return "again";
        const sendid = await store.nextSendId(goipId);
        const claimed = await store.claimOutbox(
          item.id,
          this.#d.instanceId,
          sendid,
          item.attempts + 1,
        );
        // Another instance, or the user's retraction, took it first.
        if (!claimed) return "again" as const;
        // The claimed row carries the text to send: a correction may have
        // replaced it after it was read (corrections change queued rows only).
        const fresh = await store.outboxItem(item.id);
        if (!fresh) return "again" as const;
        if (fresh.kind === "sms") {
          await store.recordSend(fresh.id, goipId, fresh.number);
        }
        return { item: fresh, sendid };
      });
      if (!picked) return;
      if (picked === "again") continue;
      this.#paceAt.delete(goipId);
      await runAttempt(this.#attemptCtx, picked.item, {
        sendid: picked.sendid,
        password: gw.goipPass,
        addr: line.addr,
      });
      if (picked.item.kind === "sms") {
        this.#smsEndedAt.set(goipId, this.#now());
      }
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
      const failed = await this.#d.store.updateOutbox(item.id, {
        state: "failed",
        error: text,
      }, { state: "queued" });
      return failed ? { item, text } : undefined;
    });
    if (!stale) return false;
    await reportFinal(this.#d, stale.item, "failed", stale.text);
    return true;
  }

  /**
   * Fail `item` (the line's next SMS) when handing it over now would exceed
   * a send limit; true when it did.
   */
  async #failOverLimit(gw: Gateway, item: OutboxItem): Promise<boolean> {
    // Tried before (the GoIP refused it without sending): it is counted
    // already, and its turn again is not one more SMS.
    if (item.attempts > 0) return false;
    const over = await checkSendLimit(
      this.#d.store,
      gw,
      item.number,
      this.#d.config(),
      "handover",
      this.#now(),
    );
    if (!over) return false;
    const text = limitText(gw.ext, over);
    const failed = await this.#locked(async () => {
      const again = await this.#d.store.outboxItem(item.id);
      if (again?.state !== "queued") return false;
      await this.#d.store.updateOutbox(item.id, {
        state: "failed",
        error: text,
      });
      return true;
    });
    if (!failed) return true;
    this.#d.metrics?.smsLimited.inc({ limit: over.limit });
    await reportFinal(this.#d, item, "failed", text);
    return true;
  }

  /** How long the line's next SMS must still wait for its pace (0: go). */
  async #paceWaitMs(gw: Gateway): Promise<number> {
    const limits = lineLimits(gw, this.#d.config());
    if (limits.intervalS <= 0 && limits.jitterS <= 0) return 0;
    const now = this.#now();
    const { lastHandedMs } = await this.#d.store.sendUsage(
      gw.goipId,
      usageQuery(now, "", false),
    );
    // The recorded hand-over precedes the datagram; the end of this
    // driver's own attempt follows it, so counting from the later of the
    // two keeps the gap at the GoIP at least the interval.
    const ended = this.#smsEndedAt.get(gw.goipId);
    const last = lastHandedMs === null && ended === undefined
      ? null
      : Math.max(lastHandedMs ?? 0, ended ?? 0);
    // The jitter is drawn once per SMS, not at every look.
    const from = `${last} ${limits.intervalS} ${limits.jitterS}`;
    let pace = this.#paceAt.get(gw.goipId);
    if (pace?.from !== from) {
      const random = this.#d.random ?? Math.random;
      pace = { from, atMs: nextSendAtMs(limits, last, random) };
      this.#paceAt.set(gw.goipId, pace);
    }
    return Math.max(0, pace.atMs - now);
  }

  /** Wait `ms`, or less when the driver stops. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(id);
        this.#timers.delete(id);
        this.#wakers.delete(done);
        resolve();
      };
      const id = setTimeout(done, ms);
      this.#timers.add(id);
      this.#wakers.add(done);
    });
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
