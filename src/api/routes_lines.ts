/**
 * `GET /api/v1/lines` and `GET /api/v1/messages`: the lines a token may use
 * with their state, and the incoming SMS of those lines, cursor-paginated
 * (the cursor is the last message's id).
 *
 * @module
 */

import { lineOnline } from "../line_online.ts";
import type { ApiToken, GatewayWithState } from "../store/types.ts";
import { type ApiContext, inScope, iso } from "./context.ts";
import { ApiError } from "./errors.ts";

/** One line as the API and the status page show it. */
export interface LineView {
  line: string;
  msisdn: string;
  enabled: boolean;
  online: boolean;
  signal: number | null;
  operator: string;
  last_seen: string | null;
  queued: number;
}

/** Every line `token` may use (null: all), with its state and queue. */
export async function lineViews(
  ctx: ApiContext,
  token: ApiToken | null,
): Promise<LineView[]> {
  const [gateways, queued] = await Promise.all([
    ctx.store.listGateways(),
    ctx.store.queuedByLine(),
  ]);
  const now = ctx.now();
  const config = ctx.config();
  return gateways
    .filter((g) => token === null || inScope(token, g.ext))
    .map((g: GatewayWithState) => ({
      line: g.ext,
      msisdn: g.state?.msisdn || g.msisdn,
      enabled: g.enabled,
      online: lineOnline(g.state ?? undefined, now, config),
      signal: g.state?.signal ?? null,
      operator: g.state?.provider ?? "",
      last_seen: g.state && g.state.lastSeenMs > 0
        ? iso(g.state.lastSeenMs)
        : null,
      queued: queued[g.goipId] ?? 0,
    }));
}

/** `GET /api/v1/lines`. */
export async function getLines(
  ctx: ApiContext,
  token: ApiToken,
): Promise<Response> {
  return Response.json({ lines: await lineViews(ctx, token) });
}

/** Most messages in one page. */
const MAX_LIMIT = 500;

/** `GET /api/v1/messages?line=&since=&after=&limit=`. */
export async function getMessages(
  ctx: ApiContext,
  token: ApiToken,
  query: URLSearchParams,
): Promise<Response> {
  const bad = (what: string) => new ApiError(422, "invalid", what);
  const limitText = query.get("limit") ?? "100";
  const limit = /^[0-9]{1,4}$/.test(limitText) ? Number(limitText) : 0;
  if (limit < 1 || limit > MAX_LIMIT) {
    throw bad(`limit must be 1 to ${MAX_LIMIT}`);
  }
  const afterText = query.get("after") ?? "0";
  if (!/^[0-9]{1,15}$/.test(afterText)) {
    throw bad("after must be a cursor from an earlier page");
  }
  const sinceText = query.get("since");
  const sinceMs = sinceText === null ? 0 : Date.parse(sinceText);
  if (!Number.isFinite(sinceMs)) {
    throw bad("since must be an ISO 8601 time such as 2026-01-31T12:00:00Z");
  }
  const line = query.get("line");
  let goipIds: string[] | null = null;
  if (line !== null) {
    if (!inScope(token, line)) {
      throw new ApiError(
        403,
        "forbidden",
        `token ${token.name} may not use line ${line}`,
      );
    }
    const g = await ctx.store.gatewayByExt(line);
    if (!g) throw new ApiError(404, "not_found", `no line ${line}`);
    goipIds = [g.goipId];
  } else if (token.lines !== null) {
    const all = await ctx.store.listGateways();
    goipIds = all.filter((g) => inScope(token, g.ext)).map((g) => g.goipId);
  }
  const rows = await ctx.store.incomingMessages(
    goipIds,
    Number(afterText),
    sinceMs,
    limit,
  );
  return Response.json({
    messages: rows.map((m) => ({
      id: m.id,
      line: m.line,
      from: m.from,
      text: m.text,
      received: iso(m.receivedMs),
    })),
    next: rows.length === limit ? String(rows[rows.length - 1].id) : null,
  });
}
