/**
 * What every API route works with, and the scope rules of tokens.
 *
 * @module
 */

import type { LiveConfig } from "../config/live.ts";
import type { Hub } from "../hub.ts";
import type { Logger } from "../log.ts";
import type { ApiToken, Gateway, Store } from "../store/types.ts";
import { ApiError } from "./errors.ts";
import type { LineCache, TokenCache } from "./lookup_cache.ts";
import type { BodyCheck } from "./validate.ts";

/** The daemon's parts a route may use. */
export interface ApiContext {
  store: Store;
  hub: Hub;
  config: LiveConfig;
  log: Logger;
  check: BodyCheck;
  /** The clock (epoch ms). */
  now: () => number;
  /** Tokens as presented, briefly kept (see `lookup_cache.ts`). */
  tokens: TokenCache;
  /** Gateways by ext, kept while the store's gateways version holds. */
  lines: LineCache;
}

/** May `token` use the line `ext`? Admin tokens (no line list) may use any. */
export function inScope(token: ApiToken, ext: string): boolean {
  return token.lines === null || token.lines.includes(ext);
}

/**
 * The gateway `ext` for a request of `token`: 403 when out of its scope
 * (before looking, so a scoped token learns nothing of other lines), 404
 * when there is none, 422 when it is disabled.
 */
export async function lineFor(
  ctx: ApiContext,
  token: ApiToken,
  ext: string,
): Promise<Gateway> {
  if (!inScope(token, ext)) {
    throw new ApiError(
      403,
      "forbidden",
      `token ${token.name} may not use line ${ext}`,
    );
  }
  const g = await ctx.lines.get(ext);
  if (!g) throw new ApiError(404, "not_found", `no line ${ext}`);
  if (!g.enabled) {
    throw new ApiError(422, "line_disabled", `line ${ext} is disabled`);
  }
  return g;
}

/** Epoch ms as an ISO 8601 UTC time. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
