/**
 * The HTTP API and status page on `API_BIND` (off by default): routing,
 * authentication, the per-token rate limit, the body size limit, and JSON
 * errors. Every route is in its own file; nothing a client sends can throw
 * past {@linkcode handleApi}.
 *
 * @module
 */

import type { LiveConfig } from "../config/live.ts";
import type { Hub } from "../hub.ts";
import type { Logger } from "../log.ts";
import { parseBind } from "../metrics/server.ts";
import type { ApiToken, Store } from "../store/types.ts";
import type { ApiContext } from "./context.ts";
import { LineCache, TokenCache } from "./lookup_cache.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { openApiDocument } from "./openapi.ts";
import { RateLimiter } from "./rate_limit.ts";
import { getLines, getMessages } from "./routes_lines.ts";
import { getSms, postSms } from "./routes_sms.ts";
import { postUssd } from "./routes_ussd.ts";
import { statusPage, type StatusProbe } from "./status_page.ts";
import { bearer } from "./tokens.ts";
import { bodyChecker } from "./validate.ts";

/** Largest request body taken (an SMS of 3000 bytes, JSON-escaped, fits). */
export const MAX_BODY_BYTES = 32 * 1024;

/** What the API needs from the daemon. */
export interface ApiDeps {
  store: Store;
  hub: Hub;
  config: LiveConfig;
  log: Logger;
  /** XMPP link state and instances for the status page. */
  status: StatusProbe;
  now?: () => number;
}

/** A running API listener. */
export interface ApiServer {
  hostname: string;
  port: number;
  stop(): Promise<void>;
}

/** A request handler with its per-daemon state (rate limiter, validators). */
export type ApiHandler = (
  req: Request,
  remote: Deno.NetAddr | null,
) => Promise<Response>;

/** Build the handler (also used by tests and the bench without a socket). */
export function apiHandler(deps: ApiDeps): ApiHandler {
  const now = deps.now ?? Date.now;
  const ctx: ApiContext = {
    store: deps.store,
    hub: deps.hub,
    config: deps.config,
    log: deps.log,
    check: bodyChecker(),
    now,
    tokens: new TokenCache(deps.store, now),
    lines: new LineCache(deps.store, now),
  };
  const limiter = new RateLimiter(() => deps.config().API_RATE_PER_MIN);
  const openapi = JSON.stringify(openApiDocument());
  return async (req, remote) => {
    try {
      return await route(req, remote, ctx, limiter, openapi, deps.status);
    } catch (err) {
      if (err instanceof ApiError) return errorResponse(err);
      deps.log.warn(`api: ${(err as Error).message ?? err}`);
      return errorResponse(
        new ApiError(503, "unavailable", "the store did not answer; retry"),
      );
    }
  };
}

async function route(
  req: Request,
  remote: Deno.NetAddr | null,
  ctx: ApiContext,
  limiter: RateLimiter,
  openapi: string,
  status: StatusProbe,
): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname;
  const method = req.method;
  if (path === "/" && method === "GET") {
    if (!isLoopback(remote) && !(await authenticate(req, ctx))) {
      throw new ApiError(
        401,
        "unauthorized",
        "the status page needs a token (or a request from this machine)",
      );
    }
    return await statusPage(ctx, status);
  }
  if (path === "/api/v1/openapi.json" && method === "GET") {
    return new Response(openapi, {
      headers: { "content-type": "application/json" },
    });
  }
  const endpoint = matchEndpoint(method, path);
  if (!endpoint) {
    throw new ApiError(404, "not_found", `no endpoint ${method} ${path}`);
  }
  const token = await authenticate(req, ctx);
  if (!token) {
    throw new ApiError(
      401,
      "unauthorized",
      "send Authorization: Bearer <token> with a token from goippy --token-add",
    );
  }
  const wait = limiter.take(String(token.id));
  if (wait > 0) {
    throw new ApiError(
      429,
      "rate_limited",
      `token ${token.name} is over ${ctx.config().API_RATE_PER_MIN} requests a minute; retry in ${wait} s`,
      { "retry-after": String(wait) },
    );
  }
  switch (endpoint.name) {
    case "postSms":
      return await postSms(
        ctx,
        token,
        await readJson(req),
        req.headers.get("idempotency-key"),
      );
    case "getSms":
      return await getSms(ctx, token, endpoint.param);
    case "postUssd":
      return await postUssd(ctx, token, await readJson(req), req.signal);
    case "getLines":
      return await getLines(ctx, token);
    case "getMessages":
      return await getMessages(ctx, token, url.searchParams);
  }
}

type EndpointName =
  | "postSms"
  | "getSms"
  | "postUssd"
  | "getLines"
  | "getMessages";

function matchEndpoint(
  method: string,
  path: string,
): { name: EndpointName; param: string } | null {
  const table: [string, RegExp, EndpointName][] = [
    ["POST", /^\/api\/v1\/sms$/, "postSms"],
    ["GET", /^\/api\/v1\/sms\/([^/]+)$/, "getSms"],
    ["POST", /^\/api\/v1\/ussd$/, "postUssd"],
    ["GET", /^\/api\/v1\/lines$/, "getLines"],
    ["GET", /^\/api\/v1\/messages$/, "getMessages"],
  ];
  let pathKnown = false;
  for (const [m, re, name] of table) {
    const hit = re.exec(path);
    if (!hit) continue;
    pathKnown = true;
    if (m === method) return { name, param: hit[1] ?? "" };
  }
  if (pathKnown) {
    throw new ApiError(
      405,
      "method_not_allowed",
      `${method} ${path} is not served`,
    );
  }
  return null;
}

async function authenticate(
  req: Request,
  ctx: ApiContext,
): Promise<ApiToken | undefined> {
  const token = bearer(req.headers.get("authorization"));
  if (!token) return undefined;
  return await ctx.tokens.get(token);
}

/** The body as JSON: 413 above {@linkcode MAX_BODY_BYTES}, 422 when not JSON. */
async function readJson(req: Request): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  const tooLarge = () =>
    new ApiError(
      413,
      "too_large",
      `the request body may be at most ${MAX_BODY_BYTES} bytes`,
    );
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    for await (const chunk of req.body) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new ApiError(422, "invalid", "the body must be a JSON object");
  }
}

function isLoopback(addr: Deno.NetAddr | null): boolean {
  const h = addr?.hostname ?? "";
  return h === "::1" || /^127\./.test(h) || h === "::ffff:127.0.0.1";
}

/** Serve the API on `bind` until `stop()`. Throws when it cannot bind. */
export async function startApiServer(
  bind: string,
  deps: ApiDeps,
): Promise<ApiServer> {
  const { hostname, port } = parseBind(bind);
  const handler = apiHandler(deps);
  const ready = Promise.withResolvers<Deno.NetAddr>();
  const ac = new AbortController();
  const server = Deno.serve({
    hostname,
    port,
    signal: ac.signal,
    onListen: (addr) => ready.resolve(addr as Deno.NetAddr),
    onError: (err) => {
      deps.log.warn(`api: ${(err as Error).message ?? err}`);
      return Response.json({ error: "internal", message: "internal error" }, {
        status: 500,
      });
    },
  }, (req, info) => handler(req, info.remoteAddr as Deno.NetAddr));
  const addr = await ready.promise;
  deps.log.info(`api on http://${bind.replace(/:\d+$/, "")}:${addr.port}/`);
  return {
    hostname: addr.hostname,
    port: addr.port,
    async stop() {
      ac.abort();
      await server.finished;
    },
  };
}
