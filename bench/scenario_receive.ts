/**
 * Scenario 2: incoming SMS (`RECEIVE`) at a fixed, open-loop offered rate,
 * spread over a few simulated channels that resend like devices (after 3 s,
 * up to 3 times): ack latency, and the highest rate at which no RECEIVE
 * needed a resend; on SQLite also a long run at a high rate, during which
 * the WAL is checkpointed (datagrams the kernel dropped meanwhile).
 *
 * @module
 */

import { GoipSim } from "../tests/support/goip_sim/mod.ts";
import { paced } from "./pace.ts";
import { cpuShare, readProc, readUdpDrops } from "./proc.ts";
import { summarize } from "./stats.ts";
import type { ReceiveResult, ReceiveStep } from "./types.ts";

/** Gateway prefix of the RECEIVE channels. */
export const RECEIVE_PREFIX = "br";

/** Channels that registered with a keepalive, ready to send RECEIVEs. */
export interface ReceiveChannels {
  sims: GoipSim[];
  close(): Promise<void>;
}

/** Start `count` channels `<prefix>0…` and register each with a keepalive. */
export async function startChannels(
  port: number,
  count: number,
  prefix = RECEIVE_PREFIX,
  counterStart?: number,
): Promise<ReceiveChannels> {
  const sims: GoipSim[] = [];
  const close = async () => {
    await Promise.all(sims.map((s) => s.close()));
  };
  try {
    for (let i = 0; i < count; i++) {
      sims.push(
        await GoipSim.start({
          server: { hostname: "127.0.0.1", port },
          id: `${prefix}${i}`,
          password: "pw",
          num: `+3725550${String(i).padStart(4, "0")}`,
          counterStart,
        }),
      );
    }
    for (const sim of sims) {
      const reply = await sim.keepalive();
      if (!reply.includes("status:200")) {
        throw new Error(`${sim.who.id}: keepalive refused: ${reply}`);
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { sims, close };
}

/**
 * Offer `rate` RECEIVE/s for `seconds`, round-robin over the channels, then
 * wait up to `drainMs` for the outstanding exchanges. One still open by then
 * has already been resent (the device resends after 3 s), so it counts as
 * retransmitted; the caller closes the channels, which ends it.
 */
export async function receiveStep(
  ch: ReceiveChannels,
  rate: number,
  seconds: number,
  tag: string,
  drainMs = 4000,
): Promise<ReceiveStep> {
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  let acked = 0;
  let retransmitted = 0;
  let lost = 0;
  let open = 0;
  const pace = await paced(rate, total, (i) => {
    const sim = ch.sims[i % ch.sims.length];
    const t0 = performance.now();
    const src = `+3725551${String(i % 10_000).padStart(4, "0")}`;
    open++;
    sim.receive(src, `${tag} ${i}; bench: load`).then((r) => {
      if (!r.acked) {
        lost++;
        return;
      }
      acked++;
      if (r.attempts > 1) retransmitted++;
      latencies.push(performance.now() - t0);
    }, () => {
      lost++;
    }).finally(() => open--);
  });
  const end = Date.now() + drainMs;
  while (open > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    rate,
    achievedRate: pace.achievedRate,
    sent: pace.fired,
    acked,
    retransmitted: retransmitted + open,
    lost,
    latency: summarize(latencies),
  };
}

function delta(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : b - a;
}

/** True when every RECEIVE of the step was acked on its first send. */
export function isClean(s: ReceiveStep): boolean {
  return s.lost === 0 && s.retransmitted === 0 && s.acked === s.sent;
}

/**
 * The fixed rates, then rates stepped up until one needs resends. Each run
 * gets fresh channels (registered by keepalive, counters of their own), so
 * resends left over from an overloaded run never load the next one.
 */
export async function receiveScenario(
  pid: number,
  port: number,
  p: {
    sims: number;
    fixedRates: number[];
    fixedSeconds: number;
    steps: number[];
    stepSeconds: number;
    /** A long run at a high rate (SQLite: WAL checkpoints happen during it). */
    sustained?: { rate: number; seconds: number } | null;
  },
  progress: (line: string) => void = () => {},
): Promise<ReceiveResult> {
  let runNo = 0;
  const run = async (rate: number, seconds: number, tag: string) => {
    // Counters stay positive 32-bit integers and never repeat within the run.
    const base = 1_000_000_000 + ++runNo * 1_000_000;
    const ch = await startChannels(port, p.sims, RECEIVE_PREFIX, base);
    try {
      const before = await Promise.all([readProc(pid), readProc(Deno.pid)]);
      const dropsBefore = await readUdpDrops(port);
      const step = await receiveStep(ch, rate, seconds, tag);
      const after = await Promise.all([readProc(pid), readProc(Deno.pid)]);
      const dropsAfter = await readUdpDrops(port);
      step.goippyCpu = cpuShare(before[0], after[0]);
      step.clientCpu = cpuShare(before[1], after[1]);
      step.goippyDrops = delta(dropsBefore.port, dropsAfter.port);
      step.hostDrops = delta(dropsBefore.host, dropsAfter.host);
      return step;
    } finally {
      await ch.close();
      await new Promise((r) => setTimeout(r, 500)); // let goippy settle
    }
  };
  await run(200, 1, "warm"); // JIT and prepared statements
  const fixed: ReceiveStep[] = [];
  for (const rate of p.fixedRates) {
    const s = await run(rate, p.fixedSeconds, `fixed${rate}`);
    progress(describe(s));
    fixed.push(s);
  }
  const steps: ReceiveStep[] = [];
  let maxCleanRate: number | null = null;
  let stoppedBy: ReceiveResult["stoppedBy"] = "last-step";
  for (const rate of p.steps) {
    const s = await run(rate, p.stepSeconds, `step${rate}`);
    progress(describe(s));
    steps.push(s);
    if (!isClean(s)) {
      stoppedBy = "retransmission";
      break;
    }
    if (s.achievedRate < 0.9 * rate) {
      stoppedBy = "client";
      break;
    }
    maxCleanRate = rate;
  }
  const result: ReceiveResult = { fixed, steps, maxCleanRate, stoppedBy };
  if (p.sustained) {
    const { rate, seconds } = p.sustained;
    result.sustained = await run(rate, seconds, `sustained${rate}`);
    progress(`sustained: ${describe(result.sustained)}`);
  }
  return result;
}

/** One line about a step, for progress output. */
export function describe(s: ReceiveStep): string {
  const f = (x: number | null) => x === null ? "–" : x.toFixed(2);
  const pct = (x: number | null | undefined) =>
    typeof x === "number" ? `${(x * 100).toFixed(0)} %` : "–";
  return `RECEIVE ${s.rate}/s (sent at ${Math.round(s.achievedRate)}/s): ` +
    `${s.acked}/${s.sent} acked, ${s.retransmitted} resent, ${s.lost} lost, ` +
    `p50 ${f(s.latency.p50)} ms p99 ${f(s.latency.p99)} ms; CPU goippy ` +
    `${pct(s.goippyCpu)}, bench client ${pct(s.clientCpu)}; kernel drops ` +
    `at goippy's socket ${s.goippyDrops ?? "–"}, host ${s.hostDrops ?? "–"}`;
}
