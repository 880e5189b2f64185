/**
 * A store that is not there yet: every call fails as a store that does not
 * answer would, until {@linkcode DeferredStore.set} gives it the real one.
 * Lets the inbound side start (and spool) while the database is away at
 * goippy's start.
 *
 * @module
 */

import type { Dialect, Store } from "./types.ts";

/** Thrown by every call while no store is set. */
export class StoreAwayError extends Error {
  constructor() {
    super("the database is not reachable yet");
    this.name = "StoreAwayError";
  }
}

/** A stand-in for the store and the way to give it the real one. */
export interface DeferredStore {
  /** Forwards to the real store once set; fails each call before. */
  store: Store;
  /** Give it the real store (from then on, calls reach it). */
  set(real: Store): void;
}

/** A deferred store for a database of `dialect`. */
export function deferredStore(dialect: Dialect): DeferredStore {
  let real: Store | null = null;
  const store = new Proxy({} as Store, {
    get(_target, prop) {
      if (real) {
        const v = (real as unknown as Record<PropertyKey, unknown>)[prop];
        return typeof v === "function" ? v.bind(real) : v;
      }
      if (prop === "dialect") return dialect;
      // Not a thenable: `await store` must not call a failing `then`.
      if (prop === "then" || typeof prop === "symbol") return undefined;
      return () => Promise.reject(new StoreAwayError());
    },
  });
  return {
    store,
    set(s) {
      real = s;
    },
  };
}
