/**
 * Who may talk to goippy: gateway look-ups by GoIP id (cached briefly so the
 * CLI's changes are seen within seconds) and a constant-time password check.
 *
 * @module
 */

import type { Gateway, Store } from "../store/types.ts";

/** Why a packet was refused, or the gateway it belongs to. */
export type AuthResult =
  | { ok: true; gateway: Gateway }
  | { ok: false; why: "unknown id" | "wrong password" | "disabled" };

/** Compare two strings in time that depends only on their lengths. */
export function sameSecret(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  const len = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < len; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Gateway look-ups with a short cache (unknown ids are cached too). */
export class GatewayCache {
  #store: Store;
  #ttlMs: number;
  #now: () => number;
  #entries = new Map<string, { gw: Gateway | undefined; at: number }>();
  /** Bound on remembered ids (spoofed ids must not grow memory forever). */
  static readonly MAX_ENTRIES = 10_000;
  /** Longest GoIP id that can exist (`goip_id VARCHAR(64)`). */
  static readonly MAX_ID_LENGTH = 64;

  constructor(store: Store, ttlMs = 2000, now: () => number = Date.now) {
    this.#store = store;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The gateway with this GoIP id (throws when the store does). */
  async get(goipId: string): Promise<Gateway | undefined> {
    // No GoIP id is longer than its column: refuse without a look-up, and
    // without letting spoofed kilobyte-long ids fill the cache.
    if (goipId.length > GatewayCache.MAX_ID_LENGTH) return undefined;
    const now = this.#now();
    const hit = this.#entries.get(goipId);
    if (hit && now - hit.at < this.#ttlMs) return hit.gw;
    const gw = goipId === ""
      ? undefined
      : await this.#store.gatewayByGoipId(goipId);
    if (this.#entries.size >= GatewayCache.MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(goipId, { gw, at: now });
    return gw;
  }

  /** Check id, enabled flag and password. */
  async authenticate(goipId: string, password: string): Promise<AuthResult> {
    const gw = await this.get(goipId);
    if (!gw) return { ok: false, why: "unknown id" };
    // Compare before looking at `enabled` so both paths cost the same.
    const match = sameSecret(password, gw.goipPass);
    if (!match) return { ok: false, why: "wrong password" };
    if (!gw.enabled) return { ok: false, why: "disabled" };
    return { ok: true, gateway: gw };
  }

  /** Forget everything (e.g. after SIGHUP). */
  clear(): void {
    this.#entries.clear();
  }
}
