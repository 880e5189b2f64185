/**
 * The reconnect policy: backoff from 1 s doubling to 60 s with ±20 % jitter
 * (so many goippy instances do not hit a restarted server in step), back to
 * the start after a connection that got online.
 *
 * @module
 */

/** Next backoff delay: doubled, capped. */
export function nextDelay(delayMs: number, maxMs: number): number {
  return Math.min(delayMs * 2, maxMs);
}

/** ±20 % jitter around `delayMs`. */
export function withJitter(delayMs: number, random = Math.random()): number {
  return Math.round(delayMs * (0.8 + 0.4 * random));
}

/** Backoff state between failed attempts. */
export class Backoff {
  #min: number;
  #max: number;
  #delay: number;

  constructor(minMs: number, maxMs: number) {
    this.#min = minMs;
    this.#max = maxMs;
    this.#delay = minMs;
  }

  /** The wait before the next attempt (jittered); the one after doubles. */
  next(random = Math.random()): number {
    const wait = withJitter(this.#delay, random);
    this.#delay = nextDelay(this.#delay, this.#max);
    return wait;
  }

  /** Start again from the minimum (after a connection got online). */
  reset(): void {
    this.#delay = this.#min;
  }
}
