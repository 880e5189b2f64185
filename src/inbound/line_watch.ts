/**
 * What goippy knows of each line between keepalives: the pinned address, the
 * last line state, whether the line counts as online; and the timer that
 * announces a line gone silent (hub `lineOffline`).
 *
 * @module
 */

import type { Hub } from "../hub.ts";
import type { Logger } from "../log.ts";
import type { Config } from "../config/types.ts";
import { lineOnline } from "../line_online.ts";
import type { LineState, Store } from "../store/types.ts";
import { LINE_CHECK_EVERY_MS } from "./cadence.ts";
import { gatewayPages } from "../store/gateway_pages.ts";

interface Entry {
  state: LineState;
  online: boolean;
  /** When the state was last written to the store (epoch ms). */
  savedMs: number;
  /**
   * Time between the last two keepalives here: 0 until two were seen, -1
   * while the entry only holds what the store said at start.
   */
  intervalMs: number;
  /** When the last keepalive reached this instance (epoch ms). */
  lastSeenMs: number;
}

/** Keys of one line's state that matter for saving (all but the time). */
const COMPARED: (keyof LineState)[] = [
  "ext",
  "msisdn",
  "addr",
  "signal",
  "gsmStatus",
  "voipStatus",
  "voipState",
  "remainTime",
  "provider",
  "disableStatus",
  "imei",
  "imsi",
  "iccid",
  "owner",
];

/** Two states of one line that differ at most in `lastSeenMs`. */
export function sameButTime(a: LineState, b: LineState): boolean {
  return COMPARED.every((k) => a[k] === b[k]);
}

/** Options of {@linkcode LineWatch}. */
export interface LineWatchOptions {
  hub: Hub;
  log: Logger;
  /** The config in force (GOIP_OFFLINE_AFTER is read at each check). */
  config: () => Pick<Config, "GOIP_OFFLINE_AFTER">;
  now?: () => number;
  /** How often to look for silent lines (default `LINE_CHECK_EVERY_MS`). */
  checkEveryMs?: number;
}

/** Line memory plus the offline timer. */
export class LineWatch {
  #lines = new Map<string, Entry>();
  #opts: LineWatchOptions;
  #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(opts: LineWatchOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Learn the lines the store already knows (after a restart), a page at a
   * time: the socket answers meanwhile, and a line that sends a keepalive
   * first is learned by {@linkcode LineWatch.seedOne} on the way.
   */
  async seed(store: Store, stopped?: () => boolean): Promise<void> {
    for await (const page of gatewayPages(store, { stopped })) {
      for (const g of page) if (g.state) this.seedOne(g.state);
    }
  }

  /**
   * Learn one line as the store knows it, unless this instance knows it
   * already (what it saw itself is newer).
   */
  seedOne(state: LineState): void {
    if (this.#lines.has(state.goipId)) return;
    this.#lines.set(state.goipId, {
      state,
      online: lineOnline(state, this.#now(), this.#opts.config()),
      savedMs: state.lastSeenMs,
      intervalMs: -1,
      lastSeenMs: state.lastSeenMs,
    });
  }

  /** Start the offline timer. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(
      () => this.check(),
      this.#opts.checkEveryMs ?? LINE_CHECK_EVERY_MS,
    );
  }

  /** Stop the timer. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The last known state of a line. */
  get(goipId: string): LineState | undefined {
    return this.#lines.get(goipId)?.state;
  }

  /** Record an authenticated keepalive; returns true when the line came online. */
  seen(state: LineState): boolean {
    const prev = this.#lines.get(state.goipId);
    if (!prev) {
      this.#lines.set(state.goipId, {
        state,
        online: true,
        savedMs: 0,
        intervalMs: 0,
        lastSeenMs: state.lastSeenMs,
      });
      return true;
    }
    const cameOnline = !prev.online;
    // A line learned from the store under another owner: its stored time is
    // that instance's keepalive, not one seen here, so it says nothing of
    // this GoIP's cadence towards this instance (the interval stays unknown
    // and the next keepalive is again written at once, with its owner).
    const elsewhere = prev.intervalMs === -1 &&
      prev.state.owner !== state.owner;
    prev.intervalMs = elsewhere
      ? 0
      : Math.max(0, state.lastSeenMs - prev.lastSeenMs);
    prev.lastSeenMs = state.lastSeenMs;
    prev.state = state;
    prev.online = true;
    return cameOnline;
  }

  /**
   * Whether a keepalive's state should be written to the store: the line is
   * new or was offline, something but the time changed, or the stored time
   * is older than `everyMs` (keeps "last seen" fresh without a write per
   * keepalive).
   */
  needsSave(state: LineState, everyMs: number): boolean {
    const e = this.#lines.get(state.goipId);
    if (!e || !e.online) return true;
    if (state.lastSeenMs - e.savedMs >= everyMs) return true;
    return !sameButTime(e.state, state);
  }

  /**
   * Whether keepalives of this line may have gone to another instance
   * since the last one here: the interval is not known yet, or this one
   * comes after more than 1.5 intervals of silence. Then the store may name
   * another owner, and the keepalive's state is written at once. A line
   * known only from the store at start counts as missed only when the
   * store named another owner than `me` (a restart does not write every
   * line at once).
   */
  missedKeepalives(goipId: string, nowMs: number, me: string): boolean {
    const e = this.#lines.get(goipId);
    if (!e || e.intervalMs === 0) return true;
    if (e.intervalMs === -1) return e.state.owner !== me;
    return nowMs - e.lastSeenMs > e.intervalMs * 1.5;
  }

  /** Note that the line's state was written at `ms`. */
  saved(goipId: string, ms: number): void {
    const e = this.#lines.get(goipId);
    if (e) e.savedMs = ms;
  }

  /** Update a known line's state without touching online/address (events). */
  update(goipId: string, change: Partial<LineState>): LineState | undefined {
    const e = this.#lines.get(goipId);
    if (!e) return undefined;
    e.state = { ...e.state, ...change };
    return e.state;
  }

  /** Emit `lineOffline` for lines silent longer than the limit. */
  check(): void {
    const now = this.#now();
    const config = this.#opts.config();
    for (const [goipId, e] of this.#lines) {
      if (!e.online || lineOnline(e.state, now, config)) continue;
      e.online = false;
      this.#opts.log.info(
        `line ${goipId} (ext ${e.state.ext}) offline: no keepalive for ${config.GOIP_OFFLINE_AFTER} s`,
      );
      this.#opts.hub.emit("lineOffline", { goipId, ext: e.state.ext });
    }
  }
}
