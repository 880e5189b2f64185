/**
 * Writes line states from keepalives. Facts others act on (a line came
 * online, moved to another address, changed its number) are written before
 * the keepalive is answered; routine refreshes ("still here", a new signal
 * value) are collected and written together every few seconds, so
 * thousands of idle lines cost one transaction (and, with a server that
 * takes the bulk form, one statement) every few seconds, not one each.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { LineState, Store } from "../store/types.ts";
import { LINE_FLUSH_MS } from "./cadence.ts";

/** Line states written per transaction of a batch. */
export const FLUSH_CHUNK = 5000;

/** Options of {@linkcode LineSaver}. */
export interface LineSaverOptions {
  store: Pick<Store, "saveLineState" | "saveLineStates">;
  log: Logger;
  /**
   * How long routine refreshes are collected (default `LINE_FLUSH_MS`); a function
   * is asked each time (it may follow a reloaded config).
   */
  flushMs?: number | (() => number);
}

/** Batches routine line-state writes. */
export class LineSaver {
  #opts: LineSaverOptions;
  #pending = new Map<string, LineState>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** States to write at once, and the write that will take them. */
  #urgent = new Map<string, LineState>();
  #group: Promise<void> | null = null;

  constructor(opts: LineSaverOptions) {
    this.#opts = opts;
  }

  /**
   * Write now (throws when the store does). States asked for while a write
   * is on its way are written together next, in one transaction (group
   * commit): a fleet coming online at once costs a transaction per group,
   * not one per line.
   */
  now(state: LineState): Promise<void> {
    this.#pending.delete(state.goipId);
    this.#urgent.set(state.goipId, state);
    this.#group ??= this.#writeGroup();
    return this.#group;
  }

  async #writeGroup(): Promise<void> {
    // A batch already on its way holds older states: let it land first, or
    // it would overwrite a newer one. Then let the datagrams already read
    // join this group (a macrotask), and close it.
    const before = this.#flushing;
    let done!: () => void;
    this.#flushing = new Promise<void>((r) => done = r);
    try {
      await before;
      await new Promise((r) => setTimeout(r, 0));
      const group = [...this.#urgent.values()];
      this.#urgent.clear();
      this.#group = null;
      if (group.length === 1) await this.#opts.store.saveLineState(group[0]);
      else await this.#opts.store.saveLineStates(group);
    } finally {
      done();
    }
  }

  /** Write with the next batch (the newest state of a line wins). */
  later(state: LineState): void {
    this.#pending.set(state.goipId, state);
    const ms = this.#opts.flushMs ?? LINE_FLUSH_MS;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushing.then(() => this.#flush());
    }, typeof ms === "function" ? ms() : ms);
  }

  /** Write what is pending and stop the timer. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const list = [...this.#pending.values()];
    this.#pending.clear();
    // A large fleet's refreshes in several short transactions, with the
    // event loop free between them: one transaction of 100,000 lines holds
    // a synchronous store (and the datagrams waiting) for a long time.
    for (let i = 0; i < list.length; i += FLUSH_CHUNK) {
      if (i > 0) await new Promise((r) => setTimeout(r, 0));
      const chunk = list.slice(i, i + FLUSH_CHUNK);
      try {
        await this.#opts.store.saveLineStates(chunk);
      } catch (err) {
        this.#opts.log.error(`saving ${chunk.length} line states: ${err}`);
      }
    }
  }
}
