/**
 * Who may talk to goippy: gateway look-ups by GoIP id (cached until the
 * gateways change, so the CLI's changes are seen within seconds) and a
 * constant-time password check.
 *
 * @module
 */

import type { Gateway, Store } from "../store/types.ts";
import { bounded, STORE_BOUND_MS } from "./bounded.ts";
import { GATEWAY_CHECK_EVERY_MS } from "./cadence.ts";
import { gatewayPages } from "../store/gateway_pages.ts";

/** Why a packet was refused, or the gateway it belongs to. */
export type AuthResult =
  | { ok: true; gateway: Gateway }
  | { ok: false; why: "unknown id" | "wrong password" | "disabled" };

/**
 * Compare two strings in time that depends only on their lengths (UTF-16
 * code units compared one by one: equal units mean equal strings, and
 * nothing is allocated).
 */
export function sameSecret(a: string, b: string): boolean {
  const len = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < len; i++) {
    // Past the end of the shorter one, compare with 0 (NaN | 0 is 0).
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}

/** Two reads of one gateway that hold the same values. */
function sameGateway(a: Gateway, b: Gateway): boolean {
  return a.id === b.id && a.ext === b.ext && a.goipPass === b.goipPass &&
    a.channel === b.channel && a.msisdn === b.msisdn &&
    a.allowRegex === b.allowRegex && a.enabled === b.enabled &&
    a.xmppJid === b.xmppJid &&
    JSON.stringify(a.limits) === JSON.stringify(b.limits);
}

/** Options of {@linkcode GatewayCache}. */
export interface GatewayCacheOptions {
  /** How often the store's gateways version is asked (default `GATEWAY_CHECK_EVERY_MS`). */
  checkEveryMs?: number;
  /**
   * Longest a gateway is trusted without a look-up (default 60 000 ms):
   * covers changes made by hand in SQL, which leave the version alone.
   */
  maxAgeMs?: number;
  now?: () => number;
  /** Called when the store's gateways version is new (first look, or a change). */
  onVersion?: () => void;
}

/**
 * Gateway look-ups, cached until the store's gateways version changes (the
 * store gives them a new version on every change goippy makes), checked at
 * most every {@linkcode GatewayCacheOptions.checkEveryMs}: an idle line's
 * keepalive costs no query, and a CLI change is seen within seconds.
 * Unknown ids are cached too.
 */
export class GatewayCache {
  #store: Store;
  #checkEveryMs: number;
  #maxAgeMs: number;
  #now: () => number;
  #onVersion: () => void;
  #entries = new Map<string, { gw: Gateway; at: number }>();
  /** Ids the store does not know (spoofed ids land here, bounded). */
  #unknown = new Map<string, number>();
  /** Bumped when the version changes (and the entries are dropped). */
  #epoch = 0;
  #version: string | null = null;
  #checkedAt = -Infinity;
  #checking: Promise<void> | null = null;
  /**
   * Bound on remembered unknown ids (spoofed ids must not grow memory
   * forever). Known gateways are bounded by the fleet itself.
   */
  static readonly MAX_UNKNOWN = 10_000;
  /** Longest GoIP id that can exist (`goip_id VARCHAR(64)`). */
  static readonly MAX_ID_LENGTH = 64;

  constructor(store: Store, opts: GatewayCacheOptions = {}) {
    this.#store = store;
    this.#checkEveryMs = opts.checkEveryMs ?? GATEWAY_CHECK_EVERY_MS;
    this.#maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
    this.#onVersion = opts.onVersion ?? (() => {});
  }

  /**
   * Know these gateways without asking the store (its snapshot, while it is
   * away): they authenticate until the store answers with its own.
   */
  seed(list: Gateway[]): void {
    const at = this.#now();
    for (const gw of list) this.#entries.set(gw.goipId, { gw, at });
  }

  /**
   * The gateway with this GoIP id when the cache can answer without the
   * store (`null`: ask {@linkcode GatewayCache.get}). The hot path of an
   * idle line's keepalive, without a promise.
   */
  peek(goipId: string): Gateway | undefined | null {
    if (goipId.length > GatewayCache.MAX_ID_LENGTH) return undefined;
    return this.#checkDue() ? null : this.#cached(goipId);
  }

  /** The gateway with this GoIP id (throws when the store does). */
  async get(goipId: string): Promise<Gateway | undefined> {
    // No GoIP id is longer than its column: refuse without a look-up, and
    // without letting spoofed kilobyte-long ids fill the cache.
    if (goipId.length > GatewayCache.MAX_ID_LENGTH) return undefined;
    const known = this.#entries.has(goipId) || this.#unknown.has(goipId);
    if (this.#checkDue()) {
      try {
        // A known line does not wait long for a slow store (its events go
        // to the spool meanwhile); the check carries on in the background.
        await (known
          ? bounded(this.#checkVersion(), STORE_BOUND_MS)
          : this.#checkVersion());
      } catch (err) {
        // The store is away: what is cached still answers (a database blip
        // does not unregister every line), anything else fails as it would.
        if (!known) throw err;
      }
    }
    const cached = this.#cached(goipId);
    if (cached !== null) return cached;
    const now = this.#now();
    // A look-up that started before a version change may have read the old
    // row: it is not kept (the epoch moved on meanwhile).
    const epoch = this.#epoch;
    let gw: Gateway | undefined;
    try {
      const lookUp = goipId === ""
        ? Promise.resolve(undefined)
        : this.#store.gatewayByGoipId(goipId);
      gw = await (known ? bounded(lookUp, STORE_BOUND_MS) : lookUp);
    } catch (err) {
      // The store is away: a line known before still authenticates, so its
      // events can be spooled; an unknown one fails as it would.
      const stale = this.#entries.get(goipId);
      if (stale) return stale.gw;
      if (this.#unknown.has(goipId)) return undefined;
      throw err;
    }
    if (epoch === this.#epoch) {
      if (gw) {
        this.#unknown.delete(goipId);
        this.#entries.set(goipId, { gw, at: now });
      } else {
        if (this.#unknown.size >= GatewayCache.MAX_UNKNOWN) {
          this.#unknown.clear();
        }
        this.#entries.delete(goipId);
        this.#unknown.set(goipId, now);
      }
    }
    return gw;
  }

  /**
   * Refresh every cached gateway from the store a page at a time (and drop
   * those it no longer has), so that a large fleet's entries never reach
   * the longest age: one walk over the fleet instead of one look-up per
   * line and age. Stops early when the gateways version changes meanwhile
   * (the entries are dropped then anyway) or `stopped()` says so.
   */
  async sweep(stopped: () => boolean = () => false): Promise<void> {
    const epoch = this.#epoch;
    const started = this.#now();
    for await (const page of gatewayPages(this.#store, { stopped })) {
      if (epoch !== this.#epoch) return;
      const at = this.#now();
      for (const g of page) {
        const e = this.#entries.get(g.goipId);
        if (!e) continue;
        // Unchanged (nearly always): the entry held so far stays, and the
        // copy just read dies young, which keeps the old generation small.
        if (sameGateway(e.gw, g)) {
          e.at = at;
          continue;
        }
        const { state: _state, ...gw } = g;
        this.#entries.set(g.goipId, { gw, at });
      }
    }
    if (epoch !== this.#epoch || stopped()) return;
    // Not refreshed by the walk, nor looked up since it began: gone.
    for (const [id, e] of this.#entries) {
      if (e.at < started) this.#entries.delete(id);
    }
  }

  /** Whether the store's version is to be asked before answering. */
  #checkDue(): boolean {
    return this.#now() - this.#checkedAt >= this.#checkEveryMs;
  }

  /** The entry for `goipId` if younger than the longest age, else null. */
  #cached(goipId: string): Gateway | undefined | null {
    const hit = this.#entries.get(goipId);
    const at = hit ? hit.at : this.#unknown.get(goipId);
    return at !== undefined && this.#now() - at < this.#maxAgeMs
      ? hit?.gw
      : null;
  }

  /** Ask the store's version (one question at a time). */
  #checkVersion(): Promise<void> {
    this.#checking ??= (async () => {
      try {
        const v = await this.#store.gatewaysVersion();
        // No version stored: nothing can be trusted past this check.
        const changed = v !== this.#version;
        if (v === null || changed) this.#forget();
        this.#version = v;
        if (changed) this.#onVersion();
      } finally {
        // Asked again after the interval, whether it answered or not.
        this.#checkedAt = this.#now();
        this.#checking = null;
      }
    })();
    return this.#checking;
  }

  #forget(): void {
    this.#epoch++;
    this.#entries.clear();
    this.#unknown.clear();
  }

  /** Check id, enabled flag and password. */
  async authenticate(goipId: string, password: string): Promise<AuthResult> {
    return this.check(await this.get(goipId), password);
  }

  /**
   * {@linkcode GatewayCache.authenticate} without a promise when the cache
   * can answer (`null`: it cannot).
   */
  authenticateCached(goipId: string, password: string): AuthResult | null {
    const gw = this.peek(goipId);
    return gw === null ? null : this.check(gw, password);
  }

  /** Check a looked-up gateway's enabled flag and password. */
  check(gw: Gateway | undefined, password: string): AuthResult {
    if (!gw) return { ok: false, why: "unknown id" };
    // Compare before looking at `enabled` so both paths cost the same.
    const match = sameSecret(password, gw.goipPass);
    if (!match) return { ok: false, why: "wrong password" };
    if (!gw.enabled) return { ok: false, why: "disabled" };
    return { ok: true, gateway: gw };
  }

  /** Forget everything (e.g. after SIGHUP). */
  clear(): void {
    this.#forget();
    this.#checkedAt = -Infinity;
  }
}
