/**
 * The outbound driver: takes queued SMS/USSD from the outbox and hands them
 * to the GoIP lines, one item at a time per line, through the pure sender
 * state machine (`src/goip/sender.ts`).
 *
 * - A line is served only while it is online (`lineOnline`: an address is
 *   known and its last keepalive is at most GOIP_OFFLINE_AFTER seconds old).
 * - Before the first datagram of an attempt the row is claimed: `sending`
 *   with its sendid (`claim.ts`).
 * - Replies arrive through the hub (`reply` events) and are matched by the
 *   line's address and the sendid in flight.
 * - Wakes on the hub's `outbox` and `line` events and polls the outbox every
 *   `pollMs` (the CLI writes the database from another process); an
 *   `outbox` event naming its line wakes that line alone.
 * - Expires items older than QUEUE_TTL (`expiry.ts`).
 * - An item is tried again only after a `retry` outcome of the sender (the
 *   GoIP refused before sending anything: SIM not registered, too busy; see
 *   `src/goip/sender_sms.ts`): `attempt.ts` puts the row back to `queued`
 *   and pauses the line, and this driver picks it up when the pause ends. A
 *   failed, expired or uncertain item is final.
 * - Never hands the GoIP a USSD request older than USSD_TTL (`expiry.ts`).
 * - `stop()` abandons an attempt in flight: its row stays `sending` and is
 *   reported as uncertain at the next start.
 * - Paces SMS per line and checks the send limits again at hand-over
 *   (`pace.ts`).
 * - Claims of many lines go to the database together, and so do their
 *   `sent` outcomes (`claim.ts`, `sent_batch.ts`); at most ATTEMPT_WINDOW
 *   attempts start together across lines (`window.ts`).
 * - Rows left `sending` by this instance before a restart, or by a dead one,
 *   become uncertain (`reaper.ts`).
 *
 * @module
 */

import type { LiveConfig } from "../config/live.ts";
import type { Hub } from "../hub.ts";
import type { GoippyMetrics } from "../metrics/goippy.ts";
import type { Logger } from "../log.ts";
import { lineOnline } from "../line_online.ts";
import type { LineLook, Store } from "../store/types.ts";
import {
  type AttemptContext,
  type GoipTransport,
  type InFlight,
  routeReply,
  runAttempt,
} from "./attempt.ts";
import { reportFinal } from "./report.ts";
import { type OutcomeSpool, recordLateReply } from "./outcome_spool.ts";
import type { ReplyPacket } from "../goip/types.ts";
import { DEFAULT_TIMINGS, type SenderTimings } from "../goip/sender.ts";
import { noGatewayText } from "../notices/mod.ts";
import { limitsOrPace, lineLimits } from "../limits/mod.ts";
import { instanceId } from "../instances/liveness.ts";
import { expireQueued, failStaleUssd } from "./expiry.ts";
import { SmsPacer } from "./pace.ts";
import type { DriverContext } from "./context.ts";
import { DeadReaper, markOwnInterrupted } from "./reaper.ts";
import { LateReplies } from "./late_replies.ts";
import { DriverTasks } from "./tasks.ts";
import { ClaimBatcher } from "./claim.ts";
import { SentBatcher } from "./sent_batch.ts";
import { GroupCommit } from "../store/group_commit.ts";
import { AttemptWindow } from "./window.ts";

export type { GoipTransport } from "./attempt.ts";

/** A paced line looks again at least this often (reload, stop, offline). */
const PACE_LOOK_MS = 5_000;

/**
 * Attempts starting together across lines (`window.ts`): their replies
 * must fit the socket's receive buffer (208 KiB by default, a few hundred
 * short datagrams) while the event loop is busy.
 */
const ATTEMPT_WINDOW = 100;

/** A slot of the window is free again after this long at most. */
const ATTEMPT_HOLD_MS = 250;

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
  /**
   * Where the outcome of a send goes when the store cannot take it in time
   * (the local spool, replayed by the inbound side); absent: the store only.
   */
  spool?: OutcomeSpool;
  /**
   * Outcomes of this instance's sends still waiting in the spool. Until it
   * is 0 the driver does not start: the rows they finish are still
   * `sending`, and the start-up would take them for interrupted sends.
   */
  outcomesWaiting?: () => number;
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
  /** What the expiry, pace and reaper parts see of this driver. */
  #ctx: DriverContext;
  #stopped = false;
  /** False until interrupted sends of the last run have been dealt with. */
  #ready = false;
  #starting = false;
  #waitLogged = false;
  #tasks: DriverTasks;
  #workers = new Set<string>();
  #inFlight = new Map<string, InFlight>();
  #late: LateReplies;
  #pausedUntil = new Map<string, number>();
  #pacer: SmsPacer;
  #unsubscribe: (() => void)[] = [];
  #lock: Promise<unknown> = Promise.resolve();
  /** Lines woken while their worker ran: looked at again when it ends. */
  #wokenBusy = new Set<string>();
  #pumping = false;
  #pumpAgain = false;
  #attemptCtx: AttemptContext;
  #reaper: DeadReaper;
  #claims: ClaimBatcher;
  #looks: GroupCommit<string, LineLook>;
  #window = new AttemptWindow({
    size: ATTEMPT_WINDOW,
    holdMs: ATTEMPT_HOLD_MS,
  });

  constructor(deps: OutboundDeps) {
    this.#d = {
      ...deps,
      instanceId: deps.instanceId ?? instanceId(deps.config()),
    };
    this.#now = deps.now ?? Date.now;
    this.#late = new LateReplies(this.#now);
    this.#tasks = new DriverTasks(deps.log, () => this.#stopped);
    const timings: SenderTimings = { ...DEFAULT_TIMINGS, ...deps.timings };
    this.#attemptCtx = {
      ...this.#d,
      timings,
      now: this.#now,
      stopped: () => this.#stopped,
      inFlight: this.#inFlight,
      timers: this.#tasks.timers,
      pauseLine: (goipId, untilMs) => this.#pauseLine(goipId, untilMs),
      gaveUp: (addr, sendid, item) => this.#late.gaveUp(addr, sendid, item),
      sentBatch: new SentBatcher(this.#d),
    };
    this.#ctx = {
      ...this.#d,
      now: this.#now,
      stopped: () => this.#stopped,
      locked: (fn) => this.#locked(fn),
    };
    this.#pacer = new SmsPacer(this.#ctx);
    this.#reaper = new DeadReaper(this.#ctx);
    this.#claims = new ClaimBatcher(this.#ctx);
    // What many lines' workers look at, read together.
    this.#looks = new GroupCommit({
      batch: (ids) => deps.store.lookLines(ids),
      single: async (id) => (await deps.store.lookLines([id]))[0],
    });
    const { hub } = deps;
    this.#unsubscribe.push(
      hub.on("reply", (r) => this.#onReply(r.addr, r.reply)),
      // A new item for a known line wakes that line alone: no look over
      // the whole outbox per SMS.
      hub.on("outbox", (e) => e.goipId ? this.#wake(e.goipId) : this.#pump()),
      // Only a line coming back can unblock its queue; routine keepalives
      // would cost a queue query each (the 1 s poll covers the rest).
      hub.on("line", (e) => {
        if (e.cameOnline) this.#pump();
      }),
    );
    this.#tasks.track(this.#startup());
    // Polling also retries a start-up that failed (e.g. database away).
    this.#tasks.every(deps.pollMs ?? 1000, () => {
      if (this.#ready) this.#pump();
      else if (!this.#starting) this.#tasks.track(this.#startup());
    });
    this.#tasks.every(
      deps.expireEveryMs ?? 30_000,
      () => this.#tasks.track(expireQueued(this.#ctx)),
    );
    this.#tasks.every(deps.reapEveryMs ?? 2000, () => {
      if (this.#ready) this.#tasks.track(this.#reaper.reap());
    });
  }

  reload(): void {
    if (this.#ready) this.#tasks.track(expireQueued(this.#ctx));
    this.#pump();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const u of this.#unsubscribe) u();
    this.#tasks.clearTimers();
    this.#window.close();
    for (const f of this.#inFlight.values()) f.wake?.();
    this.#tasks.wakeSleepers();
    await this.#tasks.settled();
  }

  async #startup(): Promise<void> {
    this.#starting = true;
    try {
      const waiting = this.#d.outcomesWaiting?.() ?? 0;
      if (waiting > 0) {
        if (!this.#waitLogged) {
          this.#waitLogged = true;
          this.#d.log.info(
            `outbound: waiting for ${waiting} send outcome(s) in the spool ` +
              "to reach the store before sending",
          );
        }
        return;
      }
      await markOwnInterrupted(this.#ctx);
      await expireQueued(this.#ctx);
      this.#ready = true;
    } finally {
      this.#starting = false;
    }
    this.#pump();
  }

  /** Run `fn` alone: picking an item and expiring never interleave. */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  /** Look for lines with queued items and start a worker for each idle one. */
  #pump(): void {
    if (this.#stopped || !this.#ready) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    this.#tasks.track(
      (async () => {
        try {
          const now = this.#now();
          for (const goipId of await this.#d.store.linesWithQueued()) {
            if (this.#stopped) return;
            this.#startWorker(goipId, now);
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

  /** A line has a new item: serve it (again, once its worker ends). */
  #wake(goipId: string): void {
    if (this.#stopped || !this.#ready) return;
    if (this.#workers.has(goipId)) this.#wokenBusy.add(goipId);
    else this.#startWorker(goipId, this.#now());
  }

  /** Start serving `goipId` unless it is served already or paused. */
  #startWorker(goipId: string, now: number): void {
    if (this.#workers.has(goipId)) return;
    if ((this.#pausedUntil.get(goipId) ?? 0) > now) return;
    this.#wokenBusy.delete(goipId);
    this.#workers.add(goipId);
    this.#tasks.track(
      this.#work(goipId).finally(() => {
        this.#workers.delete(goipId);
        // An item queued while the worker was ending its look.
        if (this.#wokenBusy.delete(goipId)) this.#wake(goipId);
      }),
    );
  }

  /** Serve one line until its queue is empty or it cannot be served now. */
  async #work(goipId: string): Promise<void> {
    while (!this.#stopped) {
      if ((this.#pausedUntil.get(goipId) ?? 0) > this.#now()) return;
      const look = await this.#looks.submit(goipId);
      const gw = look.gateway;
      const head = look.head;
      if (!gw) {
        const item = head;
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
      // Only a USSD at the head can be stale (checked again under the lock).
      if (head?.kind === "ussd" && await failStaleUssd(this.#ctx, goipId)) {
        continue;
      }
      const line = look.line;
      if (
        !gw.enabled || !line || line.owner !== this.#d.instanceId ||
        !lineOnline(line, this.#now(), this.#d.config())
      ) {
        // Not this instance's line (another one answers its keepalives and
        // alone can reach it through NAT), or not servable now.
        return;
      }
      if (!head) return;
      // Only a line with limits or a pace has its next item checked first.
      if (limitsOrPace(lineLimits(gw, this.#d.config()))) {
        if (head.kind === "sms") {
          if (await this.#pacer.failOverLimit(gw, head)) continue;
          const waitMs = await this.#pacer.waitMs(gw);
          if (waitMs > 0) {
            await this.#tasks.sleep(Math.min(waitMs, PACE_LOOK_MS));
            continue;
          }
        }
      }
      const release = await this.#window.acquire();
      try {
        if (this.#stopped) return;
        // The head looked at, or look again (it expired or was taken).
        const picked = await this.#claims.claim(goipId, head.id);
        if (!picked) return;
        if (picked === "again") continue;
        this.#pacer.claimed(goipId);
        await runAttempt(this.#attemptCtx, picked.item, {
          sendid: picked.sendid,
          password: gw.goipPass,
          addr: line.addr,
          // Its GoIP is done answering: the slot may go to another line
          // while the outcome is written.
          answered: release,
        });
        if (picked.item.kind === "sms") this.#pacer.smsEnded(goipId);
      } finally {
        release();
      }
    }
  }

  #onReply(addr: string, reply: ReplyPacket): void {
    if (routeReply(this.#inFlight, addr, reply)) return;
    const late = this.#late.take(addr, reply);
    if (late) {
      this.#tasks.track(
        recordLateReply({ ...this.#d, now: this.#now }, late, reply),
      );
      return;
    }
    this.#d.log.debug(
      `udp <- ${addr}: ${reply.kind} for sendid ${reply.sendid} not in flight`,
    );
  }

  #pauseLine(goipId: string, untilMs: number): void {
    this.#pausedUntil.set(goipId, untilMs);
    this.#tasks.after(untilMs - this.#now(), () => {
      this.#pausedUntil.delete(goipId);
      this.#pump();
    });
  }
}
