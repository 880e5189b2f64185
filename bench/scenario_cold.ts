/**
 * Scenario 6: cold start: from spawning the daemon to the first keepalive it
 * answers with `status:200`, on a database that already exists (the usual
 * restart). The channel sends a keepalive every 10 ms until one is answered.
 *
 * @module
 */

import { GoipSim } from "../tests/support/goip_sim/mod.ts";
import { freeUdpPort } from "../tests/support/ports.ts";
import { BenchDaemon } from "./daemon_proc.ts";
import { median } from "./stats.ts";
import type { TomlValue } from "./toml.ts";
import type { ColdStartResult } from "./types.ts";

/** One cold start of a daemon with `config` (plus a fresh UDP port); ms. */
export async function coldStartOnce(
  dir: string,
  config: Record<string, TomlValue>,
  goipId: string,
): Promise<number> {
  const port = freeUdpPort();
  const sim = await GoipSim.start({
    server: { hostname: "127.0.0.1", port },
    id: goipId,
    password: "pw",
    // Resend every 10 ms for up to 15 s: the first answer ends it.
    retransmitMs: 10,
    retransmits: 1500,
  });
  let daemon: BenchDaemon | null = null;
  let ms: number;
  try {
    daemon = await BenchDaemon.spawn({
      dir,
      config: { ...config, GOIP_UDP_BIND: "127.0.0.1", GOIP_UDP_PORT: port },
    });
    const r = await sim.keepaliveTry();
    ms = performance.now() - daemon.spawnedAt;
    if (!r.reply?.includes("status:200")) {
      throw new Error(
        `cold start: no status:200 keepalive answer (${r.reply ?? "none"}); ` +
          `log tail:\n${daemon.logs().slice(-2000)}`,
      );
    }
  } finally {
    await sim.close();
    await daemon?.stop();
  }
  return ms;
}

/** `samples` cold starts in a row; the median and every sample. */
export async function coldStartScenario(
  dir: string,
  config: Record<string, TomlValue>,
  goipId: string,
  samples: number,
): Promise<ColdStartResult> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    ms.push(await coldStartOnce(dir, config, goipId));
  }
  return { samplesMs: ms, medianMs: median(ms) };
}
