/**
 * Which source addresses goippy takes GoIP datagrams from:
 * GOIP_ALLOW_SOURCES (empty: everyone), minus addresses that failed
 * authentication more than GOIP_AUTH_FAIL_LIMIT times a minute, which are
 * ignored for a minute. The endpoint asks {@linkcode SourceGuard.admits}
 * before a datagram is parsed; the inbound handlers call
 * {@linkcode SourceGuard.failed} where authentication fails
 * (`authorize.ts`).
 *
 * @module
 */

import { cidrContains, parseCidr } from "../config/cidr.ts";
import type { LiveConfig } from "../config/live.ts";
import type { Config } from "../config/types.ts";
import type { Logger } from "../log.ts";
import { FailureLimiter, sourceIp } from "./rate_limit.ts";

/** How long the failures of one address are counted, and how long it is blocked. */
const AUTH_FAIL_WINDOW_MS = 60_000;

/** A source filter for GOIP_ALLOW_SOURCES (empty list: everyone). */
export function sourceFilter(cidrs: string[]): (ip: string) => boolean {
  const parsed = cidrs.map(parseCidr).filter((c) => c !== null);
  if (parsed.length === 0) return () => true;
  return (ip) => parsed.some((c) => cidrContains(c, ip));
}

/** GOIP_AUTH_FAIL_LIMIT failures a minute per address, then a minute's block. */
export function authLimiter(
  limit: number,
  now?: () => number,
): FailureLimiter | null {
  return limit > 0
    ? new FailureLimiter({
      burst: limit,
      windowMs: AUTH_FAIL_WINDOW_MS,
      blockMs: AUTH_FAIL_WINDOW_MS,
      now,
    })
    : null;
}

/**
 * The allow list and the failed-authentication block, as the config in force
 * says: both are rebuilt when a reload brings a new config (blocks in force
 * stay unless GOIP_AUTH_FAIL_LIMIT changed).
 */
export class SourceGuard {
  #config: LiveConfig;
  #log: Logger;
  #now?: () => number;
  /** The config the filter and the limiter were built from. */
  #from: Config | null = null;
  #allow: (ip: string) => boolean = () => true;
  #limiter: FailureLimiter | null = null;

  #onBlock?: (ip: string, why: string, blockS: number) => void;

  constructor(
    config: LiveConfig,
    log: Logger,
    now?: () => number,
    onBlock?: (ip: string, why: string, blockS: number) => void,
  ) {
    this.#config = config;
    this.#log = log;
    this.#now = now;
    this.#onBlock = onBlock;
  }

  /** Whether datagrams from `ip` are taken at all. */
  admits(ip: string): boolean {
    this.#follow();
    return this.#allow(ip) && !this.#limiter?.blocked(ip);
  }

  /** Count a failed authentication from `addr` (`ip:port`), `why` it failed. */
  failed(addr: string, why = ""): void {
    this.#follow();
    const ip = sourceIp(addr);
    if (this.#limiter?.fail(ip).started) {
      const blockS = AUTH_FAIL_WINDOW_MS / 1000;
      this.#log.warn(
        `udp <- ${ip}: too many failed authentications; ignoring it for ${blockS} s`,
      );
      this.#onBlock?.(ip, why, blockS);
    }
  }

  /** Rebuild what a new config changes (a cheap identity check otherwise). */
  #follow(): void {
    const c = this.#config();
    if (c === this.#from) return;
    const prev = this.#from;
    this.#from = c;
    this.#allow = sourceFilter(c.GOIP_ALLOW_SOURCES);
    if (prev === null || prev.GOIP_AUTH_FAIL_LIMIT !== c.GOIP_AUTH_FAIL_LIMIT) {
      this.#limiter = authLimiter(c.GOIP_AUTH_FAIL_LIMIT, this.#now);
    }
  }
}
