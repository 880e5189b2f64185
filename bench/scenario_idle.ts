/**
 * Scenario 5: many lines idling: each sends a keepalive every 30 s (spread
 * evenly), nothing else. goippy's CPU share (utime+stime from /proc over the
 * window) and RSS at the end. All lines first register with one burst of
 * keepalives; the window starts after a warm-up.
 *
 * @module
 */

import { GoipFleet } from "../tests/support/goip_sim_fleet.ts";
import { cpuShare, readProc } from "./proc.ts";
import type { IdleResult } from "./types.ts";

/** Gateway prefix of the idle lines. */
export const IDLE_PREFIX = "bi";

/** The same idle fleet against the echo floor in its own process. */
export async function idleFloor(
  p: { lines: number; intervalS: number; warmS: number; windowS: number },
): Promise<{ cpuShare: number | null; rssMb: number | null }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--unstable-net",
      new URL("./echo_server.ts", import.meta.url).pathname,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let out = "";
    let m: RegExpExecArray | null = null;
    while (!(m = /udp 127\.0\.0\.1:(\d+)/.exec(out))) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`echo server exited: ${out}`);
      out += value;
    }
    reader.releaseLock();
    void child.stdout.cancel().catch(() => {});
    const r = await idleScenario(child.pid, Number(m[1]), p);
    return { cpuShare: r.cpuShare, rssMb: r.rssMb };
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // gone
    }
    await child.status;
  }
}

/** Run the idle fleet against goippy (`pid`, UDP `port`). */
export async function idleScenario(
  pid: number,
  port: number,
  p: { lines: number; intervalS: number; warmS: number; windowS: number },
  progress: (line: string) => void = () => {},
): Promise<IdleResult> {
  const base = await readProc(pid);
  const fleet = await GoipFleet.start({
    server: { hostname: "127.0.0.1", port },
    channels: p.lines,
    idPrefix: IDLE_PREFIX,
    password: "pw",
    sockets: 8,
    intervalMs: p.intervalS * 1000,
  });
  try {
    const reg = await fleet.keepaliveAll(120_000, 200);
    progress(
      `idle: ${reg.ok}/${p.lines} lines registered (${reg.refused} refused, ` +
        `${reg.lost} lost)`,
    );
    fleet.resetStats();
    fleet.startKeepalives();
    await new Promise((r) => setTimeout(r, p.warmS * 1000));
    fleet.resetStats();
    const a = await readProc(pid);
    await new Promise((r) => setTimeout(r, p.windowS * 1000));
    const b = await readProc(pid);
    fleet.stopKeepalives();
    // Let the last replies come in before counting.
    await new Promise((r) => setTimeout(r, 200));
    const s = fleet.stats();
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
    };
  } finally {
    await fleet.close();
  }
}
