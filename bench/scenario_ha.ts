/**
 * `deno task bench --only ha`: goippy as several daemons on one database.
 * RECEIVE/s and outgoing SMS/s with 1 and 2 daemons on one MariaDB and on a
 * 3-node Galera cluster (the GoIP lines split between the daemons), the
 * failover time of a line (SIGKILL of its daemon → first SMS out through the
 * other) and the XMPP takeover time (SIGKILL of the lease holder → the
 * standby holds the lease). Not part of the default runs: the Galera cluster
 * alone takes ~30 s to form.
 *
 * @module
 */

import type { Store } from "../src/store/types.ts";
import { type DaemonHandle, startDaemon } from "../tests/support/daemon.ts";
import { receiveStream } from "../tests/support/fault_rig.ts";
import { startGalera } from "../tests/support/galera.ts";
import { GoipSim } from "../tests/support/goip_sim/mod.ts";
import { startMariaDb } from "../tests/support/mariadb.ts";
import { freeTcpPort } from "../tests/support/ports.ts";
import {
  FAILOVER_KEEPALIVE_MS,
  lineFailover,
  outboundRate,
} from "./ha_outbound.ts";

/** One database's figures. */
export interface HaResult {
  db: "mariadb" | "galera";
  /** RECEIVE acked per second with 1 and with 2 daemons. */
  receivePerS: { one: number; two: number };
  /** SMS handed to the GoIP lines per second with 1 and with 2 daemons. */
  sendPerS: { one: number; two: number };
  /** ms from SIGKILL of a line's daemon to the first SMS out through the other. */
  lineFailoverMs: number;
  /** ms from SIGKILL of the XMPP lease holder to the standby holding it. */
  takeoverMs: number;
  notes: string[];
}

interface Db {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const LINES = 4;
const SENDERS = 8;

/** Run the part on both databases; `perSender` RECEIVEs per sender and line. */
export async function haScenario(
  progress: (line: string) => void,
  perSender: number,
): Promise<HaResult[]> {
  const out: HaResult[] = [];
  progress("ha: starting MariaDB");
  const maria = await startMariaDb();
  if (maria) {
    try {
      out.push(await onDb("mariadb", [maria, maria], progress, perSender));
    } finally {
      await maria.stop();
    }
  }
  progress("ha: starting a 3-node Galera cluster");
  const g = await startGalera();
  try {
    const list = (first: number) =>
      [0, 1, 2].map((i) => (first + i) % 3)
        .map((i) => `127.0.0.1:${g.nodes[i].port}`).join(",");
    const node = (i: number): Db => ({
      ...g,
      host: list(i),
      port: g.nodes[i].port,
    });
    out.push(await onDb("galera", [node(0), node(1)], progress, perSender));
  } finally {
    await g.stop();
  }
  return out;
}

async function onDb(
  db: HaResult["db"],
  nodes: [Db, Db],
  progress: (line: string) => void,
  perSender: number,
): Promise<HaResult> {
  const gateways = Array.from({ length: LINES }, (_, i) => ({
    ext: String(3001 + i),
    password: `pw-${3001 + i}`,
  }));
  const daemons: DaemonHandle[] = [];
  const stores: Store[] = [];
  const start = async (id: string, at: number, first: boolean) => {
    const d = await startDaemon({
      dbBackend: "mysql",
      mysql: nodes[at],
      config: {
        INSTANCE_ID: id,
        INSTANCE_DEAD_AFTER: 3,
        LOG_LEVEL: "info",
        // A component with no server behind it: the lease is still held.
        XMPP_HOST: "127.0.0.1",
        XMPP_PORT: freeTcpPort(),
        XMPP_COMPONENT_JID: "sms.example.org",
      },
      gateways: first ? gateways : [],
    });
    daemons.push(d);
    const store = await d.openStore();
    stores.push(store);
    return { daemon: d, store };
  };
  let round = 0;
  const rate = async (targets: DaemonHandle[]) => {
    round++;
    const sims = await Promise.all(gateways.map((g, i) =>
      GoipSim.start({
        server: {
          hostname: "127.0.0.1",
          port: targets[i % targets.length].udpPort,
        },
        id: `goippy_${g.ext}`,
        password: g.password,
        num: `+37255${g.ext}`,
        counterStart: round * 100_000,
        retransmitMs: 1000,
      })
    ));
    try {
      for (const s of sims) await s.keepalive();
      const t0 = performance.now();
      const results = await Promise.all(
        sims.map((s) => receiveStream(s, SENDERS, perSender)),
      );
      const s = (performance.now() - t0) / 1000;
      const acked = results.flatMap((m) => [...m.values()]).filter(Boolean);
      return Math.round(acked.length / s);
    } finally {
      for (const s of sims) await s.close();
    }
  };
  try {
    progress(`ha ${db}: one daemon`);
    const onA = await start(`bench-${db}-a`, 0, true);
    const a = onA.daemon;
    const one = await rate([a]);
    const sendOne = await outboundRate([onA], gateways, perSender, ++round);
    progress(`ha ${db}: two daemons`);
    const onB = await start(`bench-${db}-b`, 1, false);
    const b = onB.daemon;
    const two = await rate([a, b]);
    const sendTwo = await outboundRate(
      [onA, onB],
      gateways,
      perSender,
      ++round,
    );
    progress(`ha ${db}: line failover`);
    const lineFailoverMs = await lineFailover(b, onA, gateways[1]);
    await b.restart(); // the standby for the XMPP takeover
    progress(`ha ${db}: XMPP takeover`);
    const held = /lease xmpp: held by this daemon/;
    await a.waitForLog(held, 20_000);
    await a.kill();
    const t0 = performance.now();
    await b.waitForLog(held, 30_000);
    const takeoverMs = Math.round(performance.now() - t0);
    return {
      db,
      receivePerS: { one, two },
      sendPerS: { one: sendOne, two: sendTwo },
      lineFailoverMs,
      takeoverMs,
      notes: [
        `${LINES} lines × ${SENDERS} senders, closed loop (one SMS at a time per sender)`,
        `outgoing: ${perSender} SMS per line queued on the line's daemon's node, ` +
        "each line one SMS at a time (the GoIP's order); from the first row " +
        "queued until every row is sent (the GoIP's OK back)",
        "line failover: the GoIP's keepalives reach the other daemon from the " +
        `kill on, every ${FAILOVER_KEEPALIVE_MS} ms; one SMS queued at the kill`,
        "takeover with INSTANCE_DEAD_AFTER = 3 s",
      ],
    };
  } finally {
    for (const s of stores) await s.close().catch(() => {});
    for (const d of daemons) await d.stop().catch(() => d.kill());
  }
}

/** The part's markdown table. */
export function renderHa(results: HaResult[]): string {
  const rows = results.map((r) =>
    `| ${r.db} | ${r.receivePerS.one}/s | ${r.receivePerS.two}/s | ` +
    `${r.sendPerS.one}/s | ${r.sendPerS.two}/s | ${r.lineFailoverMs} ms | ` +
    `${r.takeoverMs} ms |`
  );
  return [
    "| Database | RECEIVE acked, 1 daemon | 2 daemons | SMS out, 1 daemon | 2 daemons | line failover after SIGKILL | XMPP takeover after SIGKILL |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    ...new Set(results.flatMap((r) => r.notes)),
  ].join("\n");
}
