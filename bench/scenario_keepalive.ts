/**
 * Scenario 1: keepalives acknowledged per second by goippy and by a bare
 * Deno UDP echo server (the floor), with the same client and method: the
 * simulator's fleet, a fixed number of keepalives in flight.
 *
 * @module
 */

import { GoipFleet } from "../tests/support/goip_sim_fleet.ts";
import { startUdpEcho } from "../tests/support/udp_echo.ts";
import type { Summary } from "./stats.ts";
import type { KeepaliveResult } from "./types.ts";

/** Gateway prefix of the keepalive fleet's channels. */
export const KEEPALIVE_PREFIX = "bk";

interface Pass {
  perSec: number;
  missing: number;
  latency: Summary;
}

async function measure(
  port: number,
  channels: number,
  passes: number,
  window: number,
): Promise<Pass> {
  const fleet = await GoipFleet.start({
    server: { hostname: "127.0.0.1", port },
    channels,
    idPrefix: KEEPALIVE_PREFIX,
    password: "pw",
  });
  try {
    // Warm-up pass: JIT, line registration, caches.
    await fleet.keepaliveAll(30_000, window);
    fleet.resetStats();
    const start = performance.now();
    for (let p = 0; p < passes; p++) await fleet.keepaliveAll(30_000, window);
    const elapsedS = (performance.now() - start) / 1000;
    const s = fleet.stats();
    return {
      perSec: s.ok / elapsedS,
      missing: s.sent - s.ok,
      latency: { count: s.replies, p50: s.p50Ms, p99: s.p99Ms, max: s.maxMs },
    };
  } finally {
    await fleet.close();
  }
}

/** Run the floor, then goippy (listening on `goippyPort`), same client. */
export async function keepaliveScenario(
  goippyPort: number,
  p: { channels: number; passes: number; window: number },
): Promise<KeepaliveResult> {
  const echo = await startUdpEcho();
  let floor: Pass;
  try {
    floor = await measure(echo.port, p.channels, p.passes, p.window);
  } finally {
    await echo.stop();
  }
  const goippy = await measure(goippyPort, p.channels, p.passes, p.window);
  return {
    count: p.channels * p.passes,
    window: p.window,
    floorPerSec: floor.perSec,
    goippyPerSec: goippy.perSec,
    ratio: floor.perSec > 0 ? goippy.perSec / floor.perSec : null,
    goippyMissing: goippy.missing,
    floorMissing: floor.missing,
    goippyLatency: goippy.latency,
    floorLatency: floor.latency,
  };
}
