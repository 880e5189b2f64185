/**
 * The clean-up of old RECEIVE counters (`goippy_receive_seen`) off the
 * acknowledgement path: lines that stored SMS are noted, and their counters
 * older than the dedupe window are forgotten at most once per interval, in
 * short transactions of their own, while the next acks go out.
 *
 * @module
 */

import type { SqlDriver } from "./sql_driver.ts";
import { forgetOldCounters } from "./sql_receive.ts";

/** How often, at most, a sweep starts (ms of the batches' clock). */
export const SWEEP_EVERY_MS = 1_000;

/** Forgets old counters of the lines noted since the last sweep. */
export class CounterSweep {
  #d: SqlDriver;
  #everyMs: number;
  #lines = new Set<string>();
  #lastMs = -Infinity;
  #cutoffMs = -Infinity;
  #running: Promise<void> | null = null;
  /** A sweep fell due while one ran: start it when that one ends. */
  #due = false;

  constructor(d: SqlDriver, everyMs = SWEEP_EVERY_MS) {
    this.#d = d;
    this.#everyMs = everyMs;
  }

  /**
   * `lines` stored SMS at `nowMs`, whose window starts after `cutoffMs`:
   * sweep every line noted so far once the last sweep started at least an
   * interval ago (after the running one, if any). Never waits for it.
   */
  note(lines: string[], cutoffMs: number, nowMs: number): void {
    for (const l of lines) this.#lines.add(l);
    if (this.#lines.size === 0 || nowMs - this.#lastMs < this.#everyMs) {
      return;
    }
    this.#lastMs = nowMs;
    this.#cutoffMs = cutoffMs;
    if (this.#running) this.#due = true;
    else this.#start();
  }

  #start(): void {
    this.#due = false;
    const batch = [...this.#lines].sort();
    this.#lines.clear();
    this.#running = forgetOldCounters(this.#d, batch, this.#cutoffMs)
      .catch(() => {
        // Done by the next sweep.
        for (const l of batch) this.#lines.add(l);
      })
      .finally(() => {
        this.#running = null;
        if (this.#due) this.#start();
      });
  }

  /** Resolves when no sweep runs (before the driver closes). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }
}
