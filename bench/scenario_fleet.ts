/**
 * Scenario 7: outbound across a fleet. Many lines online (simulated GoIPs
 * answering `OK` at once), a backlog of SMS spread over them written to the
 * outbox by another process (as the CLI does; the daemon finds it at its
 * outbox poll): SMS handed to the GoIPs per second across lines, enqueue →
 * datagram latency, and whether each line kept its order.
 *
 * @module
 */

import { GoipSim } from "../tests/support/goip_sim/mod.ts";
import type { BenchDb } from "./db.ts";
import { cpuShare, readProc, readUdpDrops } from "./proc.ts";
import { summarize } from "./stats.ts";
import type { OutboundFleetResult } from "./types.ts";
import { type FleetApiParams, fleetApiPhase } from "./scenario_fleet_api.ts";

/** Gateway prefix of the fleet's lines. */
export const FLEET_PREFIX = "bo";

/** Keepalives in flight while the fleet registers. */
const REGISTER_WINDOW = 16;

/** Start `lines` simulated GoIPs answering at once, each registered. */
async function startFleet(port: number, lines: number): Promise<GoipSim[]> {
  const sims: GoipSim[] = [];
  try {
    for (let i = 0; i < lines; i++) {
      sims.push(
        await GoipSim.start({
          server: { hostname: "127.0.0.1", port },
          id: `${FLEET_PREFIX}${i}`,
          password: "pw",
          okDelayMs: 0,
        }),
      );
    }
    // Register (a line is served only once online), a few at a time.
    let next = 0;
    const register = async () => {
      while (next < sims.length) {
        const sim = sims[next++];
        const reply = await sim.keepalive();
        if (!reply.includes("status:200")) {
          throw new Error(`${sim.who.id}: keepalive refused: ${reply}`);
        }
      }
    };
    await Promise.all(Array.from({ length: REGISTER_WINDOW }, register));
  } catch (e) {
    await Promise.all(sims.map((s) => s.close()));
    throw e;
  }
  return sims;
}

/**
 * Queue `perLine` SMS for each of `lines` online lines (interleaved: every
 * line's first, then every line's second, …) and wait until the GoIPs took
 * them all or `waitS` passed.
 */
export async function outboundFleetScenario(
  db: BenchDb,
  port: number,
  p: { lines: number; perLine: number; waitS: number },
  progress: (line: string) => void = () => {},
  api?: Omit<FleetApiParams, "exts">,
): Promise<OutboundFleetResult> {
  const sims = await startFleet(port, p.lines);
  try {
    progress(`fleet: ${p.lines} lines online`);
    const total = p.lines * p.perLine;
    const queuedAt = new Map<string, number>();
    const store = await db.open();
    const enqueueStart = Date.now();
    try {
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const j = next++;
          const line = j % p.lines;
          const body = `fleet ${line} ${Math.floor(j / p.lines)}`;
          await store.enqueueOutbox({
            ext: `${FLEET_PREFIX}x${line}`,
            goipId: `${FLEET_PREFIX}${line}`,
            kind: "sms",
            number: "+3725553001",
            body,
            fromJid: "",
            toJid: "",
            stanzaId: "",
            wantReceipt: false,
            origin: "cli",
          });
          queuedAt.set(body, Date.now());
        }
      };
      // One writer keeps each line's rows in order (ids follow commits).
      await worker();
    } finally {
      await store.close();
    }
    const enqueueS = (Date.now() - enqueueStart) / 1000;
    const dropsBefore = await readUdpDrops(port);
    const clientBefore = await readProc(Deno.pid);
    const taken = () => sims.reduce((a, s) => a + s.sentSms.length, 0);
    const end = Date.now() + p.waitS * 1000;
    while (taken() < total && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const dropsAfter = await readUdpDrops(port);
    const clientAfter = await readProc(Deno.pid);
    const lat: number[] = [];
    let first = Infinity;
    let last = -Infinity;
    let outOfOrder = 0;
    for (const sim of sims) {
      let prev = -1;
      for (const sms of sim.sentSms) {
        const t0 = queuedAt.get(sms.text);
        if (t0 === undefined) continue;
        lat.push(sms.at - t0);
        first = Math.min(first, sms.at);
        last = Math.max(last, sms.at);
        const k = Number(sms.text.split(" ")[2]);
        if (k < prev) outOfOrder++;
        prev = k;
      }
    }
    const spanS = (last - first) / 1000;
    const apiResult = api
      ? await fleetApiPhase(sims, {
        ...api,
        exts: sims.map((_, i) => `${FLEET_PREFIX}x${i}`),
      })
      : null;
    return {
      api: apiResult,
      lines: p.lines,
      queued: total,
      transmitted: lat.length,
      enqueueS,
      perSec: spanS > 0 ? lat.length / spanS : null,
      latency: summarize(lat),
      outOfOrder,
      clientCpu: cpuShare(clientBefore, clientAfter),
      goippyDrops: dropsBefore.port === null || dropsAfter.port === null
        ? null
        : dropsAfter.port - dropsBefore.port,
    };
  } finally {
    await Promise.all(sims.map((s) => s.close()));
  }
}
