/**
 * Rate limit for failed authentications, per source address: a token bucket
 * per key (`burst` tokens, refilled at `burst` per `windowMs`). Each failure
 * takes a token; a key whose bucket is empty is blocked for `blockMs` and
 * every datagram from it is dropped without a reply. Pure: the clock is
 * injected, nothing is scheduled.
 *
 * @module
 */

/** Options of {@linkcode FailureLimiter}. */
export interface FailureLimiterOptions {
  /** Failures a key may have in a burst before it is blocked (≥ 1). */
  burst: number;
  /** Time in which a full bucket refills (ms). */
  windowMs: number;
  /** How long a key stays blocked once its bucket is empty (ms). */
  blockMs: number;
  /** Bound on remembered keys; the oldest are forgotten first. */
  maxKeys?: number;
  /** Clock (ms); default `Date.now`. */
  now?: () => number;
}

/** What {@linkcode FailureLimiter.fail} tells the caller. */
export interface FailureVerdict {
  /** The key is now blocked. */
  blocked: boolean;
  /** This failure started the block (log it once). */
  started: boolean;
}

interface Bucket {
  tokens: number;
  at: number;
  blockedUntil: number;
}

/** Per-key token buckets of failed authentications. */
export class FailureLimiter {
  readonly #burst: number;
  readonly #windowMs: number;
  readonly #blockMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(opts: FailureLimiterOptions) {
    this.#burst = Math.max(1, Math.floor(opts.burst));
    this.#windowMs = Math.max(1, opts.windowMs);
    this.#blockMs = Math.max(0, opts.blockMs);
    this.#maxKeys = Math.max(1, opts.maxKeys ?? 10_000);
    this.#now = opts.now ?? Date.now;
  }

  /** True while datagrams from `key` are to be dropped. */
  blocked(key: string): boolean {
    const b = this.#buckets.get(key);
    return b !== undefined && this.#now() < b.blockedUntil;
  }

  /** Count one failed authentication from `key`. */
  fail(key: string): FailureVerdict {
    const now = this.#now();
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#forgetOldest();
      b = { tokens: this.#burst, at: now, blockedUntil: 0 };
    } else {
      this.#buckets.delete(key); // re-insert: Map order = last use
      this.#refill(b, now);
    }
    this.#buckets.set(key, b);
    if (now < b.blockedUntil) return { blocked: true, started: false };
    b.tokens -= 1;
    if (b.tokens >= 1) return { blocked: false, started: false };
    b.tokens = 0;
    b.blockedUntil = now + this.#blockMs;
    return { blocked: this.#blockMs > 0, started: this.#blockMs > 0 };
  }

  /** Keys remembered now (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  #refill(b: Bucket, now: number): void {
    const elapsed = Math.max(0, now - b.at);
    b.tokens = Math.min(
      this.#burst,
      b.tokens + (elapsed * this.#burst) / this.#windowMs,
    );
    b.at = now;
  }

  #forgetOldest(): void {
    const oldest = this.#buckets.keys().next();
    if (!oldest.done) this.#buckets.delete(oldest.value);
  }
}

/** The IP part of `ip:port` / `[v6]:port` (the key of the limiter). */
export function sourceIp(addr: string): string {
  const v6 = /^\[([^\]]+)\]:\d+$/.exec(addr);
  if (v6) return v6[1];
  const i = addr.lastIndexOf(":");
  return i > 0 ? addr.slice(0, i) : addr;
}
