/**
 * Scenario 7, second phase: users sending through the HTTP API
 * (`POST /api/v1/sms`) at a steady offered rate, round-robin over the
 * fleet's online lines: SMS handed to the GoIPs per second and POST →
 * datagram latency (the enqueue, the driver waking on it, the claim, the
 * datagram), and whether each line kept its order.
 *
 * @module
 */

import type { GoipSim } from "../tests/support/goip_sim/mod.ts";
import { cpuShare, readProc } from "./proc.ts";
import { summarize } from "./stats.ts";
import type { FleetApiResult } from "./types.ts";

/** Requests in flight at most (beyond it the client, not goippy, lags). */
const MAX_IN_FLIGHT = 256;

/** Where and how fast to post. */
export interface FleetApiParams {
  /** `http://127.0.0.1:<port>` of goippy's API. */
  base: string;
  token: string;
  /** The lines' exts, in the order of `sims`. */
  exts: string[];
  /** SMS per second offered. */
  rate: number;
  seconds: number;
  /** Seconds to wait for the last SMS after the last POST. */
  drainS: number;
}

/** Post `rate × seconds` SMS at `rate`/s and wait for the GoIPs to take them. */
export async function fleetApiPhase(
  sims: GoipSim[],
  p: FleetApiParams,
): Promise<FleetApiResult> {
  const total = Math.round(p.rate * p.seconds);
  const postedAt = new Map<string, number>();
  const before = sims.map((s) => s.sentSms.length);
  const headers = {
    "content-type": "application/json",
    authorization: `Bearer ${p.token}`,
  };
  let non2xx = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const cpu0 = await readProc(Deno.pid);
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / p.rate;
    const ahead = due - performance.now();
    if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
    while (inFlight >= MAX_IN_FLIGHT) await Promise.race(pending);
    const line = i % sims.length;
    const text = `api ${line} ${Math.floor(i / sims.length)}`;
    postedAt.set(text, Date.now());
    inFlight++;
    const req: Promise<void> = fetch(`${p.base}/api/v1/sms`, {
      method: "POST",
      headers,
      body: JSON.stringify({ line: p.exts[line], to: "+3725553001", text }),
    }).then(async (res) => {
      await res.arrayBuffer();
      if (res.status < 200 || res.status > 299) non2xx++;
    }, () => {
      non2xx++;
    }).finally(() => {
      inFlight--;
      pending.delete(req);
    });
    pending.add(req);
  }
  const offeredS = (performance.now() - t0) / 1000;
  await Promise.all(pending);
  const taken = () =>
    sims.reduce((a, s, i) => a + s.sentSms.length - before[i], 0);
  const end = Date.now() + p.drainS * 1000;
  while (taken() < total - non2xx && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const cpu1 = await readProc(Deno.pid);
  const lat: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  let outOfOrder = 0;
  sims.forEach((sim, i) => {
    let prev = -1;
    for (const sms of sim.sentSms.slice(before[i])) {
      const t = postedAt.get(sms.text);
      if (t === undefined) continue;
      lat.push(sms.at - t);
      first = Math.min(first, sms.at);
      last = Math.max(last, sms.at);
      const k = Number(sms.text.split(" ")[2]);
      if (k < prev) outOfOrder++;
      prev = k;
    }
  });
  const spanS = (last - first) / 1000;
  return {
    offeredPerSec: total / offeredS,
    posted: total,
    non2xx,
    transmitted: lat.length,
    perSec: spanS > 0 ? lat.length / spanS : null,
    latency: summarize(lat),
    outOfOrder,
    clientCpu: cpuShare(cpu0, cpu1),
  };
}
