/**
 * The API part of the benchmark (`deno task bench --only api`):
 * `POST /api/v1/sms` accepted (202, committed to the outbox) per second and
 * its p50/p99 on SQLite and MariaDB, beside a bare `Deno.serve` hello-world
 * in its own process driven by the same client in the same run; and webhook
 * events delivered per second to a local receiver.
 *
 * The line is offline, so accepted SMS stay queued: the figure is the
 * API's (parse, auth, validate, commit), not the GoIP's.
 *
 * @module
 */

import { startMariaDb } from "../tests/support/mariadb.ts";
import { startDaemon } from "../tests/support/daemon.ts";
import { freeTcpPort } from "../tests/support/ports.ts";
import { summarize, type Summary } from "./stats.ts";
import type { Backend } from "./types.ts";

/** Sizes of the part. */
export interface ApiBenchParams {
  /** SMS posted per pass. */
  requests: number;
  /** Requests in flight. */
  concurrency: number;
  /** Webhook events delivered. */
  events: number;
}

/** Quick: seconds; full: a minute or two. */
export function apiParams(quick: boolean): ApiBenchParams {
  return quick
    ? { requests: 1000, concurrency: 16, events: 1000 }
    : { requests: 10_000, concurrency: 32, events: 10_000 };
}

/** One HTTP pass. */
export interface HttpPass {
  perSec: number;
  /** ms */
  latency: Summary;
  non2xx: number;
}

/** Results of one backend. */
export interface ApiBackendResult {
  backend: Backend;
  sms: HttpPass | null;
  webhooksPerSec: number | null;
  note?: string;
}

/** The whole part. */
export interface ApiBenchResult {
  params: ApiBenchParams;
  floor: HttpPass;
  backends: ApiBackendResult[];
}

/** POST `body()` to `url` `n` times with `c` in flight. */
async function drive(
  url: string,
  headers: Record<string, string>,
  body: (i: number) => string,
  n: number,
  c: number,
): Promise<HttpPass> {
  const lat: number[] = [];
  let non2xx = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: c }, async () => {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      const res = await fetch(url, { method: "POST", headers, body: body(i) });
      await res.arrayBuffer();
      lat.push(performance.now() - s);
      if (res.status < 200 || res.status > 299) non2xx++;
    }
  }));
  const s = (performance.now() - t0) / 1000;
  return { perSec: n / s, latency: summarize(lat), non2xx };
}

const smsBody = (i: number) =>
  JSON.stringify({ line: "2001", to: "+3725551234", text: `bench ${i}` });

async function floorPass(p: ApiBenchParams): Promise<HttpPass> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      new URL("./hello_server.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/tcp 127\.0\.0\.1:(\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error("hello server exited");
    text += value;
  }
  const port = Number(/tcp 127\.0\.0\.1:(\d+)/.exec(text)![1]);
  try {
    return await drive(
      `http://127.0.0.1:${port}/api/v1/sms`,
      { "content-type": "application/json", authorization: "Bearer x" },
      smsBody,
      p.requests,
      p.concurrency,
    );
  } finally {
    child.kill("SIGTERM");
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.status;
  }
}

async function backendPass(
  backend: Backend,
  p: ApiBenchParams,
  progress: (line: string) => void,
): Promise<ApiBackendResult> {
  const maria = backend === "mysql" ? await startMariaDb() : null;
  if (backend === "mysql" && !maria) {
    return {
      backend,
      sms: null,
      webhooksPerSec: null,
      note: "skipped: mariadbd not found",
    };
  }
  const apiPort = freeTcpPort();
  let received = 0;
  const all = Promise.withResolvers<void>();
  const receiver = Deno.serve({
    hostname: "127.0.0.1",
    port: freeTcpPort(),
    onListen: () => {},
  }, async (req) => {
    await req.text();
    if (++received >= p.events) all.resolve();
    return new Response(null, { status: 204 });
  });
  const d = await startDaemon({
    dbBackend: backend,
    mysql: maria ?? undefined,
    config: {
      API_BIND: `127.0.0.1:${apiPort}`,
      API_RATE_PER_MIN: 100_000_000,
      LOG_LEVEL: "warn",
      WEBHOOKS: [{
        url: `http://127.0.0.1:${receiver.addr.port}/`,
        events: ["line.offline"],
        secret: "bench",
      }],
    },
    gateways: [{ ext: "2001", password: "pw1" }],
  });
  try {
    const token = (await d.cli(["--token-add", "bench"])).stdout.trim();
    progress(`api: POST /api/v1/sms on ${backend}`);
    const sms = await drive(
      `http://127.0.0.1:${apiPort}/api/v1/sms`,
      { "content-type": "application/json", authorization: `Bearer ${token}` },
      smsBody,
      p.requests,
      p.concurrency,
    );
    progress(`api: ${p.events} webhook events on ${backend}`);
    const store = await d.openStore();
    let webhooksPerSec: number | null = null;
    try {
      const t0 = performance.now();
      for (let i = 0; i < p.events; i++) {
        await store.addWebhookEvent("line.offline", `{"line":"2001","i":${i}}`);
      }
      await all.promise;
      webhooksPerSec = p.events / ((performance.now() - t0) / 1000);
    } finally {
      await store.close();
    }
    return { backend, sms, webhooksPerSec };
  } finally {
    await d.stop();
    await receiver.shutdown();
    await maria?.stop();
  }
}

/** Run the part. */
export async function runApiBench(
  quick: boolean,
  backends: Backend[],
  progress: (line: string) => void,
): Promise<ApiBenchResult> {
  const p = apiParams(quick);
  progress("api: hello-world floor");
  const floor = await floorPass(p);
  const results: ApiBackendResult[] = [];
  for (const b of backends) results.push(await backendPass(b, p, progress));
  return { params: p, floor, backends: results };
}

/** The part's markdown table. */
export function renderApi(r: ApiBenchResult): string {
  const f = (x: number | null | undefined, d = 0) =>
    x == null ? "–" : x.toFixed(d);
  const row = (name: string, s: HttpPass | null, hooks: string) =>
    `| ${name} | ${f(s?.perSec)} | ${f(s?.latency.p50, 1)} | ${
      f(s?.latency.p99, 1)
    } | ${s?.non2xx ?? "–"} | ${hooks} |`;
  return [
    `### goippy HTTP API (${r.params.requests} requests, ${r.params.concurrency} in flight; ${r.params.events} webhook events)`,
    "",
    "| server | POST /api/v1/sms per s | p50 ms | p99 ms | non-2xx | webhook events per s |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    row("bare Deno.serve (floor)", r.floor, "–"),
    ...r.backends.map((b) =>
      row(
        `goippy ${b.backend}${b.note ? ` (${b.note})` : ""}`,
        b.sms,
        f(b.webhooksPerSec),
      )
    ),
    "",
    "Accepted = 202 after the outbox row is committed (durable). Webhook " +
    "events: written to the store in a loop, delivered one at a time in " +
    "order to a local receiver; the rate is from the first write to the " +
    "last delivery.",
    "",
  ].join("\n");
}
