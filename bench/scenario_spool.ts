/**
 * RECEIVE while spooling: MariaDB is stopped under a running goippy, RECEIVEs
 * are offered at stepped open-loop rates over a few simulated channels (all
 * of them go to the local spool), then MariaDB comes back and the replay is
 * timed. Standalone and optional (it stops a database):
 * `deno task bench:spool [--seconds 3] [--rates 200,500,1000]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startMariaDb } from "../tests/support/mariadb.ts";
import { freeUdpPort } from "../tests/support/ports.ts";
import { BenchDaemon } from "./daemon_proc.ts";
import { addGateways, benchGateway, makeDb } from "./db.ts";
import {
  describe,
  RECEIVE_PREFIX,
  receiveStep,
  startChannels,
} from "./scenario_receive.ts";

const SIMS = 8;

/** Run the scenario; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  const o = parseArgs({
    args,
    options: {
      seconds: { type: "string", default: "3" },
      rates: { type: "string", default: "200,500,1000,2000" },
    },
  }).values;
  const seconds = Number(o.seconds);
  const rates = o.rates.split(",").map(Number);
  const maria = await startMariaDb();
  if (!maria) {
    console.error("skipped: no MariaDB (/usr/sbin/mariadbd)");
    return 0;
  }
  const dir = await Deno.makeTempDir({ prefix: "goippy-bench-spool-" });
  const lines: string[] = [];
  try {
    const db = await makeDb("mysql", dir, "spool_bench", maria);
    await addGateways(
      db,
      Array.from({ length: SIMS }, (_, i) => benchGateway(RECEIVE_PREFIX, i)),
    );
    const port = freeUdpPort();
    const d = await BenchDaemon.spawn({
      dir,
      config: {
        ...db.config,
        GOIP_UDP_BIND: "127.0.0.1",
        GOIP_UDP_PORT: port,
        LOG_LEVEL: "info",
      },
    });
    try {
      await d.waitForLog(/goippy listening/, 30_000);
      let spooled = 0;
      let runNo = 0;
      for (const rate of rates) {
        const base = 1_000_000_000 + ++runNo * 1_000_000;
        const ch = await startChannels(port, SIMS, RECEIVE_PREFIX, base);
        await maria.pause();
        try {
          const s = await receiveStep(ch, rate, seconds, `spool${rate}`);
          spooled += s.acked;
          lines.push(`while spooling: ${describe(s)}`);
          console.error(lines.at(-1));
        } finally {
          await ch.close();
        }
        const t0 = performance.now();
        await maria.resume();
        await waitReplayed(d, runNo, 120_000);
        const s = (performance.now() - t0) / 1000;
        lines.push(
          `replay after ${rate}/s: ${
            Math.round(rate * seconds)
          } offered, replayed in ${s.toFixed(1)} s (incl. MariaDB start)`,
        );
        console.error(lines.at(-1));
      }
      lines.push(`total acked while spooling: ${spooled}`);
    } finally {
      await d.stop();
    }
  } finally {
    await maria.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  console.log(lines.map((l) => `- ${l}`).join("\n"));
  return 0;
}

/** Wait until the daemon has logged `count` replay ends. */
async function waitReplayed(
  d: BenchDaemon,
  count: number,
  timeoutMs: number,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((d.logs().match(/spool: replay done/g) ?? []).length < count) {
    if (Date.now() > end) throw new Error(`no replay end:\n${d.logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
