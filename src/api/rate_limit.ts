/**
 * A token bucket per API token, kept in memory: each daemon limits the
 * requests it serves itself (several instances each allow the full rate).
 *
 * @module
 */

/** Per-key token buckets of `perMinute` requests, refilled continuously. */
export class RateLimiter {
  #buckets = new Map<string, { tokens: number; atMs: number }>();
  #perMinute: () => number;
  #now: () => number;

  constructor(perMinute: () => number, now: () => number = Date.now) {
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /**
   * Take one request for `key`: 0 when allowed, else the seconds until the
   * next one is.
   */
  take(key: string): number {
    const cap = Math.max(1, this.#perMinute());
    const now = this.#now();
    const b = this.#buckets.get(key) ?? { tokens: cap, atMs: now };
    b.tokens = Math.min(cap, b.tokens + (now - b.atMs) * cap / 60_000);
    b.atMs = now;
    this.#buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) * 60 / cap);
  }
}
