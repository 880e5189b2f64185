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

  constructor(opts: LineSaverOptions) {
    this.#opts = opts;
  }

  /** Write now (throws when the store does). */
  async now(state: LineState): Promise<void> {
    this.#pending.delete(state.goipId);
    // A batch already on its way holds older states: let it land first, or
    // it would overwrite this newer one.
    await this.#flushing;
    await this.#opts.store.saveLineState(state);
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
    try {
      await this.#opts.store.saveLineStates(list);
    } catch (err) {
      this.#opts.log.error(`saving ${list.length} line states: ${err}`);
    }
  }
}
