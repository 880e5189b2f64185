/**
 * Scenario 1: keepalives acknowledged per second by goippy and by two
 * floors, each its own process like goippy: a Deno UDP echo that does not
 * await a send before the next receive (the runtime's floor) and a C
 * recvfrom/sendto echo (the kernel's floor). Same client and method for all:
 * the simulator's fleet, a fixed number of keepalives in flight. The passes
 * alternate for a few rounds and each ratio is the median of the rounds'
 * ratios, so load from elsewhere on the machine hits all alike.
 *
 * @module
 */

import { GoipFleet } from "../tests/support/goip_sim/mod.ts";
import { median, summarize } from "./stats.ts";
import type { KeepaliveResult } from "./types.ts";

/** Gateway prefix of the keepalive fleet's channels. */
export const KEEPALIVE_PREFIX = "bk";

interface Pass {
  perSec: number;
  missing: number;
  p50: number | null;
  p99: number | null;
}

async function pass(fleet: GoipFleet, window: number): Promise<Pass> {
  fleet.resetStats();
  const start = performance.now();
  await fleet.keepaliveAll(30_000, window);
  const elapsedS = (performance.now() - start) / 1000;
  const s = fleet.stats();
  return {
    perSec: s.ok / elapsedS,
    missing: s.sent - s.ok,
    p50: s.p50Ms,
    p99: s.p99Ms,
  };
}

/** The floors' UDP ports (each an echo server in its own process). */
export interface FloorPorts {
  /** The runtime's floor: the Deno echo. */
  deno: number;
  /** The kernel's floor: the C echo (null: not built). */
  c: number | null;
}

/**
 * Alternate passes against goippy (listening on `goippyPort`) and each floor,
 * same client.
 */
export async function keepaliveScenario(
  goippyPort: number,
  floors: FloorPorts,
  p: { channels: number; passes: number; window: number },
): Promise<KeepaliveResult> {
  const fleet = (port: number) =>
    GoipFleet.start({
      server: { hostname: "127.0.0.1", port },
      channels: p.channels,
      idPrefix: KEEPALIVE_PREFIX,
      password: "pw",
    });
  const goippyFleet = await fleet(goippyPort);
  const floorFleet = await fleet(floors.deno);
  const cFleet = floors.c === null ? null : await fleet(floors.c);
  try {
    // Warm-up: JIT on every side, goippy's line registration and caches.
    await pass(floorFleet, p.window);
    if (cFleet) await pass(cFleet, p.window);
    await pass(goippyFleet, p.window);
    const floor: Pass[] = [];
    const cFloor: Pass[] = [];
    const goippy: Pass[] = [];
    for (let round = 0; round < p.passes; round++) {
      floor.push(await pass(floorFleet, p.window));
      if (cFleet) cFloor.push(await pass(cFleet, p.window));
      goippy.push(await pass(goippyFleet, p.window));
    }
    const ratio = (fs: Pass[]) =>
      median(fs.map((f, i) => f.perSec > 0 ? goippy[i].perSec / f.perSec : 0));
    const sum = (xs: Pass[]) => xs.reduce((a, x) => a + x.missing, 0);
    const lat = (xs: Pass[]) => {
      const p50 = median(xs.map((x) => x.p50 ?? NaN).filter(Number.isFinite));
      const p99 = median(xs.map((x) => x.p99 ?? NaN).filter(Number.isFinite));
      return { ...summarize([]), count: xs.length, p50, p99 };
    };
    return {
      count: p.channels * p.passes,
      window: p.window,
      floorPerSec: median(floor.map((x) => x.perSec)) ?? 0,
      goippyPerSec: median(goippy.map((x) => x.perSec)) ?? 0,
      ratio: ratio(floor),
      goippyMissing: sum(goippy),
      floorMissing: sum(floor),
      goippyLatency: lat(goippy),
      floorLatency: lat(floor),
      kernelFloor: cFleet
        ? {
          perSec: median(cFloor.map((x) => x.perSec)) ?? 0,
          ratio: ratio(cFloor),
          missing: sum(cFloor),
          latency: lat(cFloor),
        }
        : null,
    };
  } finally {
    await goippyFleet.close();
    await floorFleet.close();
    await cFleet?.close();
  }
}
