/**
 * Every scenario for one store backend, each on its own fresh database and
 * daemon: UDP (keepalive, RECEIVE, cold start), XMPP (end to end through
 * Prosody) and idle lines.
 *
 * @module
 */

import type { GoipSim } from "../tests/support/goip_sim/mod.ts";
import type { MariaDb } from "../tests/support/mariadb.ts";
import { freeUdpPort } from "../tests/support/ports.ts";
import type { XmppServer } from "../tests/support/prosody.ts";
import { connectUser, type XmppUser } from "../tests/support/xmpp_user.ts";
import { BenchDaemon } from "./daemon_proc.ts";
import { addGateways, type BenchDb, benchGateway, makeDb } from "./db.ts";
import type { Params } from "./params.ts";
import { coldStartScenario } from "./scenario_cold.ts";
import { startCEcho, startEchoProcess } from "./floors.ts";
import { FLEET_PREFIX, outboundFleetScenario } from "./scenario_fleet.ts";
import { IDLE_PREFIX, idleScenario } from "./scenario_idle.ts";
import { KEEPALIVE_PREFIX, keepaliveScenario } from "./scenario_keepalive.ts";
import {
  RECEIVE_PREFIX,
  receiveScenario,
  startChannels,
} from "./scenario_receive.ts";
import {
  e2eStep,
  stampArrivals,
  xmppFloorStep,
  xmppToSmsScenario,
} from "./scenario_xmpp.ts";
import type { TomlValue } from "./toml.ts";
import { newToken } from "../src/api/tokens.ts";
import { freeTcpPort } from "../tests/support/ports.ts";
import type { Backend, BackendResult } from "./types.ts";

/** What the scenarios of one backend share. */
export interface BackendContext {
  backend: Backend;
  params: Params;
  /** A temp dir the caller removes. */
  dir: string;
  maria: MariaDb | null;
  /** Prosody (null: the XMPP scenarios are skipped). */
  xmpp: XmppServer | null;
  progress: (line: string) => void;
  /** Parts to run (default all): `udp`, `xmpp`, `fleet`, `idle`. */
  parts?: Set<string>;
  /** Hook around a scenario on a running daemon (e.g. a CPU profile). */
  around?: <T>(
    name: string,
    daemon: BenchDaemon,
    run: () => Promise<T>,
  ) => Promise<T>;
}

/** The XMPP account that sends the client → client floor messages. */
export const FLOOR_USER = "benchfloor";

/** The XMPP account of a backend's XMPP gateway (ext). */
export function xmppPrefix(backend: Backend): string {
  return backend === "sqlite" ? "bxs" : "bxm";
}

const READY = /goippy listening on udp \S+:(\d+) \((sqlite|mysql)\)/;

async function withDaemon<T>(
  ctx: BackendContext,
  db: BenchDb,
  extra: Record<string, TomlValue>,
  ready: RegExp[],
  fn: (d: BenchDaemon, port: number) => Promise<T>,
): Promise<T> {
  const port = freeUdpPort();
  const d = await BenchDaemon.spawn({
    dir: ctx.dir,
    inspect: ctx.around !== undefined,
    config: {
      ...db.config,
      GOIP_UDP_BIND: "127.0.0.1",
      GOIP_UDP_PORT: port,
      ...extra,
    },
  });
  try {
    await d.waitForLog(READY, 30_000);
    for (const re of ready) await d.waitForLog(re, 30_000);
    return await fn(d, port);
  } finally {
    const code = await d.stop();
    if (code !== 0) ctx.progress(`daemon exited with code ${code}`);
  }
}

function hook<T>(
  ctx: BackendContext,
  name: string,
  d: BenchDaemon,
  run: () => Promise<T>,
): Promise<T> {
  return ctx.around ? ctx.around(`${ctx.backend}-${name}`, d, run) : run();
}

function range(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => benchGateway(prefix, i));
}

/** Run scenarios 1, 2 and 6 (UDP only, XMPP off). */
async function udpPart(ctx: BackendContext, r: BackendResult): Promise<void> {
  const p = ctx.params;
  const db = await makeDb(
    ctx.backend,
    ctx.dir,
    `${ctx.backend}_udp`,
    ctx.maria,
  );
  await addGateways(db, [
    ...range(KEEPALIVE_PREFIX, p.keepalive.channels),
    ...range(RECEIVE_PREFIX, p.receive.sims),
  ]);
  await withDaemon(ctx, db, {}, [], async (d, port) => {
    const denoFloor = await startEchoProcess();
    const cFloor = await startCEcho(ctx.dir);
    if (typeof cFloor === "string") r.notes.push(cFloor);
    try {
      r.keepalive = await hook(
        ctx,
        "keepalive",
        d,
        () =>
          keepaliveScenario(port, {
            deno: denoFloor.port,
            c: typeof cFloor === "string" ? null : cFloor.port,
          }, p.keepalive),
      );
    } finally {
      await denoFloor.stop();
      if (typeof cFloor !== "string") await cFloor.stop();
    }
    const k = r.keepalive;
    ctx.progress(
      `keepalive: goippy ${Math.round(k.goippyPerSec)}/s, Deno floor ${
        Math.round(k.floorPerSec)
      }/s (ratio ${k.ratio?.toFixed(3)}), C floor ${
        Math.round(k.kernelFloor?.perSec ?? NaN)
      }/s (ratio ${
        k.kernelFloor?.ratio?.toFixed(3)
      }), missing ${k.goippyMissing}`,
    );
    r.receive = await hook(
      ctx,
      "receive",
      d,
      () =>
        receiveScenario(d.pid, port, {
          ...p.receive,
          sustained: ctx.backend === "sqlite" ? p.receive.sustained : null,
        }, ctx.progress),
    );
  });
  r.cold = await coldStartScenario(
    ctx.dir,
    db.config,
    `${KEEPALIVE_PREFIX}0`,
    p.cold.samples,
  );
  ctx.progress(
    `cold start: ${r.cold.samplesMs.map((x) => Math.round(x)).join(", ")} ms`,
  );
}

/** Run scenarios 3 and 4 through Prosody. */
async function xmppPart(
  ctx: BackendContext,
  r: BackendResult,
  x: XmppServer,
): Promise<void> {
  const p = ctx.params;
  const prefix = xmppPrefix(ctx.backend);
  const db = await makeDb(
    ctx.backend,
    ctx.dir,
    `${ctx.backend}_xmpp`,
    ctx.maria,
  );
  const gw = benchGateway(prefix, 0);
  await addGateways(db, [gw]);
  const xmppConfig = {
    XMPP_HOST: "127.0.0.1",
    XMPP_PORT: x.componentPort,
    XMPP_DOMAIN: x.domain,
    XMPP_COMPONENT_JID: x.componentJid,
    XMPP_COMPONENT_SECRET: x.componentSecret,
  };
  await withDaemon(
    ctx,
    db,
    xmppConfig,
    [/XMPP: connected/],
    async (d, port) => {
      let user: XmppUser | null = null;
      let floorUser: XmppUser | null = null;
      let ch: { sims: GoipSim[]; close(): Promise<void> } | null = null;
      try {
        user = await connectUser({
          port: x.c2sPort,
          domain: x.domain,
          user: gw.ext,
          password: "pw",
        });
        const arrivals = stampArrivals(user);
        floorUser = await connectUser({
          port: x.c2sPort,
          domain: x.domain,
          user: FLOOR_USER,
          password: "pw",
          resource: ctx.backend,
        });
        ch = await startChannels(port, 1, prefix);
        const sim = ch.sims[0];
        // Warm-up: one message each way.
        await e2eStep(sim, arrivals, 20, 1);
        r.e2e = [];
        for (const rate of p.e2e.rates) {
          await new Promise((res) => setTimeout(res, 1000));
          const s = await hook(
            ctx,
            `e2e${rate}`,
            d,
            () => e2eStep(sim, arrivals, rate, p.e2e.seconds),
          );
          await new Promise((res) => setTimeout(res, 1000));
          const fu = floorUser;
          s.floor = await xmppFloorStep(
            fu,
            user.bareJid,
            arrivals,
            rate,
            p.e2e.seconds,
          );
          ctx.progress(
            `XMPP floor (client→client) ${rate}/s: p50 ${
              s.floor.p50?.toFixed(2)
            } ms p99 ${s.floor.p99?.toFixed(2)} ms`,
          );
          ctx.progress(
            `RECEIVE→XMPP ${rate}/s: ${s.received}/${s.sent}, p50 ${
              s.latency.p50?.toFixed(2)
            } ms p99 ${s.latency.p99?.toFixed(2)} ms`,
          );
          r.e2e.push(s);
        }
        const u = user;
        r.xmppToSms = await hook(
          ctx,
          "xmpp2sms",
          d,
          () =>
            xmppToSmsScenario(
              u,
              sim,
              x.componentJid,
              p.xmppToSms.rate,
              p.xmppToSms.count,
            ),
        );
        const s = r.xmppToSms;
        ctx.progress(
          `XMPP→SMS ${s.rate}/s: ${s.transmitted}/${s.sent}, p50 ${
            s.latency.p50?.toFixed(2)
          } ms p99 ${s.latency.p99?.toFixed(2)} ms`,
        );
      } finally {
        await ch?.close();
        await floorUser?.stop();
        await user?.stop();
      }
    },
  );
}

/** Run scenario 5 with gateways added in bulk first. */
async function idlePart(ctx: BackendContext, r: BackendResult): Promise<void> {
  const p = ctx.params.idle;
  const db = await makeDb(
    ctx.backend,
    ctx.dir,
    `${ctx.backend}_idle`,
    ctx.maria,
  );
  const t0 = performance.now();
  await addGateways(db, range(IDLE_PREFIX, p.lines), 16);
  ctx.progress(
    `idle: ${p.lines} gateways added in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s`,
  );
  const echo = await startEchoProcess();
  try {
    await withDaemon(ctx, db, {}, [], async (d, port) => {
      const idle = await hook(
        ctx,
        "idle",
        d,
        () => idleScenario({ pid: d.pid, port }, echo, p, ctx.progress),
      );
      r.idle = idle;
      const pct = (x: number | null | undefined) =>
        ((x ?? NaN) * 100).toFixed(2);
      ctx.progress(
        `idle: CPU ${pct(idle.cpuShare)} % (echo floor ${
          pct(idle.floorCpuShare)
        } % over the same window), RSS ${idle.rssMb?.toFixed(1)} MB, ` +
          `${idle.keepalivesOk}/${idle.keepalivesSent} keepalives ok ` +
          `(echo floor: ${idle.floorKeepalivesLost ?? "?"} lost); ` +
          `kernel drops at goippy's socket ${idle.droppedByKernel ?? "?"}, ` +
          `host ${idle.droppedOnHost ?? "?"}`,
      );
    });
  } finally {
    await echo.stop();
  }
  if (!p.coldStart) return;
  const cold = await coldStartScenario(
    ctx.dir,
    db.config,
    `${IDLE_PREFIX}0`,
    ctx.params.cold.samples,
  );
  r.coldLarge = { ...cold, gateways: p.lines };
  ctx.progress(
    `cold start with ${p.lines} gateways: ${
      cold.samplesMs.map((x) => Math.round(x)).join(", ")
    } ms`,
  );
}

/** An API token for the fleet's lines (the store keeps only its hash). */
async function fleetToken(db: BenchDb): Promise<string> {
  const { token, hash } = await newToken();
  const store = await db.open();
  try {
    await store.addApiToken({ name: "fleet", hash, lines: null });
  } finally {
    await store.close();
  }
  return token;
}

/** Run scenario 7: a backlog across many online lines, then the API at a rate. */
async function fleetPart(ctx: BackendContext, r: BackendResult): Promise<void> {
  const p = ctx.params.fleet;
  const db = await makeDb(
    ctx.backend,
    ctx.dir,
    `${ctx.backend}_fleet`,
    ctx.maria,
  );
  await addGateways(db, range(FLEET_PREFIX, p.lines), 16);
  const token = await fleetToken(db);
  const apiPort = freeTcpPort();
  const api = {
    base: `http://127.0.0.1:${apiPort}`,
    token,
    ...ctx.params.fleetApi,
    drainS: 10,
  };
  const config = {
    API_BIND: `127.0.0.1:${apiPort}`,
    API_RATE_PER_MIN: 100_000_000,
  };
  await withDaemon(ctx, db, config, [], async (d, port) => {
    const f = await hook(
      ctx,
      "fleet",
      d,
      () => outboundFleetScenario(db, port, p, ctx.progress, api),
    );
    r.fleet = f;
    ctx.progress(
      `fleet: ${f.transmitted}/${f.queued} SMS over ${f.lines} lines at ${
        Math.round(f.perSec ?? NaN)
      }/s (enqueued in ${f.enqueueS.toFixed(1)} s), enqueue→datagram p50 ${
        f.latency.p50?.toFixed(1)
      } ms p99 ${
        f.latency.p99?.toFixed(1)
      } ms, ${f.outOfOrder} out of order, ` +
        `${f.goippyDrops ?? "–"} dropped by the kernel at goippy's socket, ` +
        `bench client ${
          f.clientCpu == null ? "–" : Math.round(f.clientCpu * 100)
        } % of a core`,
    );
    const a = f.api;
    if (a) {
      ctx.progress(
        `fleet API: ${a.transmitted}/${a.posted} SMS (offered ${
          Math.round(a.offeredPerSec)
        }/s, ${a.non2xx} refused) at ${
          Math.round(a.perSec ?? NaN)
        }/s, POST→datagram p50 ${a.latency.p50?.toFixed(1)} ms p99 ${
          a.latency.p99?.toFixed(1)
        } ms, ${a.outOfOrder} out of order, bench client ${
          a.clientCpu == null ? "–" : Math.round(a.clientCpu * 100)
        } % of a core`,
      );
    }
  });
}

/** Every scenario for one backend; a failing part becomes a note. */
export async function runBackend(ctx: BackendContext): Promise<BackendResult> {
  const r: BackendResult = {
    backend: ctx.backend,
    keepalive: null,
    receive: null,
    e2e: null,
    xmppToSms: null,
    idle: null,
    cold: null,
    fleet: null,
    notes: [],
  };
  const part = async (name: string, fn: () => Promise<void>) => {
    ctx.progress(`${ctx.backend}: ${name}`);
    try {
      await fn();
    } catch (e) {
      const msg = `${name} failed: ${(e as Error).message}`;
      ctx.progress(msg);
      r.notes.push(msg.slice(0, 2000));
    }
  };
  const want = (name: string) => !ctx.parts || ctx.parts.has(name);
  if (want("udp")) {
    await part("UDP (keepalive, RECEIVE, cold start)", () => udpPart(ctx, r));
  }
  const x = ctx.xmpp;
  if (want("xmpp")) {
    if (x) await part("XMPP end to end", () => xmppPart(ctx, r, x));
    else r.notes.push("XMPP scenarios skipped: no Prosody");
  }
  if (want("fleet")) {
    await part("outbound across a fleet", () => fleetPart(ctx, r));
  }
  if (want("idle")) await part("idle lines", () => idlePart(ctx, r));
  return r;
}
