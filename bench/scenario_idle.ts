/**
 * Scenario 5: many lines idling: each sends a keepalive every 30 s (spread
 * evenly), nothing else. goippy's CPU share (utime+stime from /proc over the
 * window) and RSS at the end, next to the echo floor's under an identical
 * fleet over the same window. All lines first register with one burst of
 * keepalives; the window starts after a warm-up. Both fleets are simulated
 * in this process; its CPU over the window is reported too (a client near a
 * full core would be the bound, not goippy).
 *
 * @module
 */

import { GoipFleet } from "../tests/support/goip_sim/mod.ts";
import { cpuShare, readProc, readUdpDrops } from "./proc.ts";
import type { IdleResult } from "./types.ts";

/** Gateway prefix of the idle lines. */
export const IDLE_PREFIX = "bi";

/** One process under an idle fleet. */
interface Target {
  pid: number;
  port: number;
}

/**
 * Run the idle fleet against goippy (`pid`, UDP `port`) and, over the same
 * window, an identical fleet against the echo floor: both see the same
 * machine, so the floor is comparable even on a noisy shared host.
 */
export async function idleScenario(
  goippy: Target,
  floor: Target,
  p: { lines: number; intervalS: number; warmS: number; windowS: number },
  progress: (line: string) => void = () => {},
): Promise<IdleResult> {
  const base = await readProc(goippy.pid);
  const fleets: GoipFleet[] = [];
  try {
    for (const t of [goippy, floor]) {
      fleets.push(
        await GoipFleet.start({
          server: { hostname: "127.0.0.1", port: t.port },
          channels: p.lines,
          idPrefix: IDLE_PREFIX,
          password: "pw",
          sockets: 8,
          intervalMs: p.intervalS * 1000,
        }),
      );
    }
    const [fleet, floorFleet] = fleets;
    const reg = await fleet.keepaliveAll(120_000, 200);
    progress(
      `idle: ${reg.ok}/${p.lines} lines registered (${reg.refused} refused, ` +
        `${reg.lost} lost)`,
    );
    await floorFleet.keepaliveAll(120_000, 200);
    for (const f of fleets) {
      f.resetStats();
      f.startKeepalives();
    }
    await new Promise((r) => setTimeout(r, p.warmS * 1000));
    fleet.resetStats();
    floorFleet.resetStats();
    const a = await readProc(goippy.pid);
    const fa = await readProc(floor.pid);
    const ca = await readProc(Deno.pid);
    const da = await readUdpDrops(goippy.port);
    await new Promise((r) => setTimeout(r, p.windowS * 1000));
    const b = await readProc(goippy.pid);
    const fb = await readProc(floor.pid);
    const cb = await readProc(Deno.pid);
    const db = await readUdpDrops(goippy.port);
    for (const f of fleets) f.stopKeepalives();
    // Let the last replies come in before counting.
    await new Promise((r) => setTimeout(r, 200));
    const s = fleet.stats();
    const fs = floorFleet.stats();
    return {
      lines: p.lines,
      intervalS: p.intervalS,
      windowS: p.windowS,
      cpuShare: cpuShare(a, b),
      rssMb: b.rssKb === null ? null : b.rssKb / 1024,
      baseRssMb: base.rssKb === null ? null : base.rssKb / 1024,
      keepalivesSent: s.sent,
      keepalivesOk: s.ok,
      keepalivesLost: s.lost + s.refused,
      floorCpuShare: cpuShare(fa, fb),
      floorKeepalivesLost: fs.lost + fs.refused,
      floorRssMb: fb.rssKb === null ? null : fb.rssKb / 1024,
      clientCpuShare: cpuShare(ca, cb),
      droppedByKernel: da.port === null || db.port === null
        ? null
        : db.port - da.port,
      droppedOnHost: da.host === null || db.host === null
        ? null
        : db.host - da.host,
    };
  } finally {
    for (const f of fleets) await f.close();
  }
}
