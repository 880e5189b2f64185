/**
 * The driver's background work and timers, kept in one place so `stop()`
 * can clear every timer, wake every sleeper and wait for every task: a
 * stopped driver leaves nothing running.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { Timer } from "./attempt.ts";

/** Tracked tasks, timers and sleeps of one driver. */
export class DriverTasks {
  #log: Logger;
  #stopped: () => boolean;
  #tasks = new Set<Promise<void>>();
  #wakers = new Set<() => void>();
  /** Live timers; attempts add theirs too. */
  readonly timers = new Set<Timer>();

  constructor(log: Logger, stopped: () => boolean) {
    this.#log = log;
    this.#stopped = stopped;
  }

  /** Keep `p` until it settles; its error is logged, never thrown. */
  track(p: Promise<void>): void {
    const t = p.catch((err) =>
      this.#log.error(`outbound: ${(err as Error).message ?? err}`)
    ).finally(() => this.#tasks.delete(t));
    this.#tasks.add(t);
  }

  /** Run `fn` every `ms` until stopped. */
  every(ms: number, fn: () => void): void {
    const id = setInterval(() => {
      if (!this.#stopped()) fn();
    }, ms);
    this.timers.add(id);
  }

  /** Run `fn` once after `ms` unless the timers are cleared first. */
  after(ms: number, fn: () => void): void {
    const id = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, ms));
    this.timers.add(id);
  }

  /** Wait `ms`, or less when woken by {@linkcode wakeSleepers}. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(id);
        this.timers.delete(id);
        this.#wakers.delete(done);
        resolve();
      };
      const id = setTimeout(done, ms);
      this.timers.add(id);
      this.#wakers.add(done);
    });
  }

  /** Clear every timer (pending sleeps are woken separately). */
  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** End every sleep now. */
  wakeSleepers(): void {
    for (const w of this.#wakers) w();
  }

  /** Resolves when no tracked task is left (tasks may start more). */
  async settled(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }
}
