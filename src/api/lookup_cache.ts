/**
 * What every API request looks up before its work — its token and its
 * line — kept in memory for a short, stated time, so a busy client costs
 * no hashing and no store round trip per request for them. Tokens and
 * gateways are changed by CLI commands in other processes, so each cache
 * has a bound on how long a change takes to be seen:
 *
 * - a token is kept {@linkcode TOKEN_TTL_MS} after it was read: a removed
 *   token is refused at most that long after `--token-remove`;
 * - a gateway is kept while the store's gateways version (bumped by every
 *   change of a gateway row) stays the same, asked at most every
 *   {@linkcode GATEWAY_CHECK_EVERY_MS}: a disabled or changed line is seen
 *   within that.
 *
 * The send limits are not cached: they are counted inside the enqueue's
 * transaction.
 *
 * @module
 */

import { GATEWAY_CHECK_EVERY_MS } from "../inbound/cadence.ts";
import type { ApiToken, Gateway, Store } from "../store/types.ts";
import { hashToken } from "./tokens.ts";

/** How long a token read from the store is used without reading it again. */
export const TOKEN_TTL_MS = 5_000;

/** Most entries a cache keeps (the oldest goes first). */
const MAX_ENTRIES = 10_000;

/** Tokens as presented, for {@linkcode TOKEN_TTL_MS}; misses not kept. */
export class TokenCache {
  #store: Store;
  #now: () => number;
  #entries = new Map<string, { token: ApiToken; at: number }>();

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** The token a client presented as `bearer`, or undefined if unknown. */
  async get(bearer: string): Promise<ApiToken | undefined> {
    const hit = this.#entries.get(bearer);
    if (hit && this.#now() - hit.at < TOKEN_TTL_MS) return hit.token;
    this.#entries.delete(bearer);
    const token = await this.#store.apiTokenByHash(await hashToken(bearer));
    if (token) remember(this.#entries, bearer, { token, at: this.#now() });
    return token;
  }
}

/** Gateways by ext, while the store's gateways version holds. */
export class LineCache {
  #store: Store;
  #now: () => number;
  #entries = new Map<string, Gateway>();
  #version: string | null = null;
  #checkedAt = -Infinity;
  #checking: Promise<void> | null = null;

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** The gateway `ext`, or undefined when there is none. */
  async get(ext: string): Promise<Gateway | undefined> {
    if (this.#now() - this.#checkedAt >= GATEWAY_CHECK_EVERY_MS) {
      await this.#checkVersion();
    }
    const hit = this.#entries.get(ext);
    if (hit) return hit;
    const version = this.#version;
    const g = await this.#store.gatewayByExt(ext);
    // Read under a version: kept only if it is still the one checked.
    if (g && version !== null && version === this.#version) {
      remember(this.#entries, ext, g);
    }
    return g;
  }

  #checkVersion(): Promise<void> {
    this.#checking ??= (async () => {
      try {
        const v = await this.#store.gatewaysVersion();
        if (v === null || v !== this.#version) this.#entries.clear();
        this.#version = v;
        this.#checkedAt = this.#now();
      } finally {
        this.#checking = null;
      }
    })();
    return this.#checking;
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, value);
}
