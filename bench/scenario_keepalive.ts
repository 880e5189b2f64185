/**
 * Scenario 1: keepalives acknowledged per second by goippy and by a bare
 * Deno UDP echo server (the floor), with the same client and method: the
 * simulator's fleet, a fixed number of keepalives in flight. Floor and
 * goippy passes alternate for a few rounds and the ratio is the median of
 * the rounds' ratios, so load from elsewhere on the machine hits both alike.
 *
 * @module
 */

import { GoipFleet } from "../tests/support/goip_sim/mod.ts";
import { startUdpEcho } from "../tests/support/udp_echo.ts";
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

/** Alternate floor and goippy (listening on `goippyPort`) passes, same client. */
export async function keepaliveScenario(
  goippyPort: number,
  p: { channels: number; passes: number; window: number },
): Promise<KeepaliveResult> {
  const echo = await startUdpEcho();
  const fleet = (port: number) =>
    GoipFleet.start({
      server: { hostname: "127.0.0.1", port },
      channels: p.channels,
      idPrefix: KEEPALIVE_PREFIX,
      password: "pw",
    });
  const floorFleet = await fleet(echo.port);
  const goippyFleet = await fleet(goippyPort);
  try {
    // Warm-up: JIT on both sides, goippy's line registration and caches.
    await pass(floorFleet, p.window);
    await pass(goippyFleet, p.window);
    const floor: Pass[] = [];
    const goippy: Pass[] = [];
    for (let round = 0; round < p.passes; round++) {
      floor.push(await pass(floorFleet, p.window));
      goippy.push(await pass(goippyFleet, p.window));
    }
    const ratios = floor.map((f, i) =>
      f.perSec > 0 ? goippy[i].perSec / f.perSec : 0
    );
    const sum = (xs: Pass[], k: "missing") => xs.reduce((a, x) => a + x[k], 0);
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
      ratio: median(ratios),
      goippyMissing: sum(goippy, "missing"),
      floorMissing: sum(floor, "missing"),
      goippyLatency: lat(goippy),
      floorLatency: lat(floor),
    };
  } finally {
    await floorFleet.close();
    await goippyFleet.close();
    await echo.stop();
  }
}
