/**
 * The optional HTTP endpoint on `METRICS_BIND`: `GET /metrics` (Prometheus
 * text format) and `GET /health` (200 when the store answers and the UDP
 * socket is open, else 503; JSON body with the XMPP state).
 *
 * @module
 */

import type { LimitConfig } from "../limits/mod.ts";
import type { Store } from "../store/types.ts";
import type { Logger } from "../log.ts";
import { type GoippyMetrics, scrape, type XmppState } from "./goippy.ts";

/** What /health looks at besides the store. */
export interface HealthProbe {
  /** True while the UDP socket is open. */
  udp(): boolean;
  xmpp(): XmppState;
  /** Events in the local spool waiting for the store (absent: no spool). */
  spoolDepth?(): number;
  /**
   * While goippy waits for its database at start: what it waits for (why
   * the store could not be opened); null once it runs.
   */
  waitingFor?(): string | null;
}

/** Options of {@linkcode startMetricsServer}. */
export interface MetricsServerOptions {
  /** `host:port` (`[::1]:9464` for IPv6); port 0 picks a free one. */
  bind: string;
  metrics: GoippyMetrics;
  store: Store;
  health: HealthProbe;
  /** GOIP_OFFLINE_AFTER in seconds (for lines online), read at each scrape. */
  offlineAfterS: () => number;
  /** The send limits' defaults, read at each scrape (no limit gauges when absent). */
  limits?: () => LimitConfig;
  /** INSTANCE_DEAD_AFTER in seconds (instances and lines owned shown when given). */
  instanceDeadAfterS?: () => number;
  log?: Logger;
  /** How long /health waits for the store's ping (default 3000 ms). */
  pingTimeoutMs?: number;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  hostname: string;
  port: number;
  stop(): Promise<void>;
}

/** Split `host:port` / `[v6]:port`; throws a clear error on anything else. */
export function parseBind(bind: string): { hostname: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(bind) ??
    /^([^:\s]+):(\d+)$/.exec(bind);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new Error(
      `METRICS_BIND must be host:port (e.g. 127.0.0.1:9464), not ${
        JSON.stringify(bind)
      }`,
    );
  }
  return { hostname: m[1], port };
}

/** The /health verdict: status code and JSON body. */
export async function healthReport(
  store: Store,
  probe: HealthProbe,
  pingTimeoutMs = 3000,
): Promise<{ status: number; body: Record<string, string | number> }> {
  const waiting = probe.waitingFor?.() ?? null;
  if (waiting !== null) return waitingReport(probe, waiting);
  let storeState = "ok";
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      store.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("ping timed out")),
          pingTimeoutMs,
        );
      }),
    ]);
  } catch (err) {
    storeState = `error: ${(err as Error).message ?? err}`;
  } finally {
    clearTimeout(timer);
  }
  // Events are persisted (in the spool) and acknowledged: nothing is lost,
  // and goippy_spool_depth says how much waits for the store.
  if ((probe.spoolDepth?.() ?? 0) > 0) storeState = "spooling";
  let udp = "closed";
  let xmpp: XmppState = "off";
  try {
    udp = probe.udp() ? "ok" : "closed";
    xmpp = probe.xmpp();
  } catch {
    udp = "closed";
  }
  const ok = (storeState === "ok" || storeState === "spooling") &&
    udp === "ok";
  return { status: ok ? 200 : 503, body: { store: storeState, udp, xmpp } };
}

/**
 * Not ready yet: goippy waits for its database at start. The UDP side runs
 * (known lines are answered, their events spooled), nothing else does.
 */
function waitingReport(
  probe: HealthProbe,
  why: string,
): { status: number; body: Record<string, string | number> } {
  let udp = "closed";
  try {
    udp = probe.udp() ? "ok" : "closed";
  } catch {
    udp = "closed";
  }
  return {
    status: 503,
    body: {
      store: "waiting",
      waiting_for: why,
      spooled: probe.spoolDepth?.() ?? 0,
      udp,
      xmpp: "off",
    },
  };
}

/** Serve /metrics and /health until `stop()`. */
export async function startMetricsServer(
  opts: MetricsServerOptions,
): Promise<MetricsServer> {
  const { hostname, port } = parseBind(opts.bind);
  const ready = Promise.withResolvers<Deno.NetAddr>();
  const ac = new AbortController();
  const server = Deno.serve({
    hostname,
    port,
    signal: ac.signal,
    onListen: (addr) => ready.resolve(addr as Deno.NetAddr),
    onError: (err) => {
      opts.log?.warn(`metrics: ${(err as Error).message ?? err}`);
      return new Response("internal error\n", { status: 500 });
    },
  }, (req) => handle(req, opts));
  const addr = await ready.promise;
  opts.log?.info(
    `metrics on http://${opts.bind.replace(/:\d+$/, "")}:${addr.port}/metrics`,
  );
  return {
    hostname: addr.hostname,
    port: addr.port,
    async stop() {
      ac.abort();
      await server.finished;
    },
  };
}

async function handle(
  req: Request,
  opts: MetricsServerOptions,
): Promise<Response> {
  const path = new URL(req.url).pathname;
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response("only GET\n", {
      status: 405,
      headers: { allow: "GET, HEAD" },
    });
  }
  if (path === "/metrics") {
    try {
      const text = await scrape(opts.metrics, {
        store: opts.store,
        offlineAfterS: opts.offlineAfterS(),
        limits: opts.limits?.(),
        instanceDeadAfterS: opts.instanceDeadAfterS?.(),
        xmpp: opts.health.xmpp,
        spoolDepth: opts.health.spoolDepth?.bind(opts.health),
      });
      return new Response(text, {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    } catch (err) {
      if ((opts.health.waitingFor?.() ?? null) !== null) {
        // Waiting for the database at start: what is known without it.
        return new Response(opts.metrics.registry.render(), {
          headers: {
            "content-type": "text/plain; version=0.0.4; charset=utf-8",
          },
        });
      }
      opts.log?.warn(`metrics: scrape failed: ${(err as Error).message}`);
      return new Response(`store error: ${(err as Error).message}\n`, {
        status: 503,
      });
    }
  }
  if (path === "/health") {
    const { status, body } = await healthReport(
      opts.store,
      opts.health,
      opts.pingTimeoutMs,
    );
    return Response.json(body, { status });
  }
  return new Response("not found; try /metrics or /health\n", { status: 404 });
}
