/**
 * `deno task bench [--quick] [--backend sqlite|mysql] [--profile]`: drives
 * the real goippy daemon over loopback (and a bare UDP echo server as the
 * floor), prints a markdown table and writes `bench/results/<time>.json`,
 * `latest.json` and `latest.md`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startMariaDb } from "../tests/support/mariadb.ts";
import { BENCH_MARIADB_ARGS } from "./mariadb_server.ts";
import { startProsody, type XmppServer } from "../tests/support/prosody.ts";
import {
  type BackendContext,
  FLOOR_USER,
  runBackend,
  xmppPrefix,
} from "./backend.ts";
import { params } from "./params.ts";
import { renderApi, runApiBench } from "./scenario_api.ts";
import { profiler } from "./profile.ts";
import { haScenario, renderHa } from "./scenario_ha.ts";
import { fileStamp, renderReport } from "./report.ts";
import type { Backend, BenchRun } from "./types.ts";

const USAGE =
  `usage: deno task bench [--quick] [--backend sqlite|mysql] [--profile] [--out DIR]
  --quick     a run of under 4 minutes (default: the fuller run)
  --backend   only this store (default: both; MariaDB needs /usr/sbin/mariadbd)
  --profile   CPU-profile the daemon during each scenario (V8 inspector);
              profiles and top functions go to <out>/profiles/
  --out DIR   where results go (default: bench/results)
  --only P    run only part P: udp (keepalive, RECEIVE, cold start), xmpp,
              fleet (outbound across 1,000 lines), idle,
              api (HTTP API and webhooks; only with --only),
              ha (several daemons on MariaDB and Galera; only when asked)
  --render F  print the table of an earlier run's JSON file F and exit`;

/** Run the benchmark; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args,
      options: {
        quick: { type: "boolean", default: false },
        backend: { type: "string", multiple: true },
        profile: { type: "boolean", default: false },
        out: { type: "string" },
        render: { type: "string" },
        only: { type: "string", multiple: true },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.render) {
    // Print the table of an earlier run again (e.g. after a table change).
    const earlier = JSON.parse(
      await Deno.readTextFile(opts.render),
    ) as BenchRun;
    console.log(renderReport(earlier));
    return 0;
  }
  const backends = (opts.backend ?? ["sqlite", "mysql"]) as Backend[];
  for (const b of backends) {
    if (b !== "sqlite" && b !== "mysql") {
      console.error(`unknown backend ${JSON.stringify(b)}\n${USAGE}`);
      return 2;
    }
  }
  for (const part of opts.only ?? []) {
    if (!["udp", "xmpp", "fleet", "idle", "api", "ha"].includes(part)) {
      console.error(`unknown part ${JSON.stringify(part)}\n${USAGE}`);
      return 2;
    }
  }
  const outDir = opts.out ?? new URL("./results", import.meta.url).pathname;
  const mode = opts.quick ? "quick" : "full";
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const progress = (line: string) =>
    console.error(
      `[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}`,
    );
  if (opts.only?.length === 1 && opts.only[0] === "ha") {
    const ha = await haScenario(progress, mode === "quick" ? 40 : 150);
    console.log(renderHa(ha));
    await Deno.mkdir(outDir, { recursive: true });
    await Deno.writeTextFile(
      `${outDir}/ha-${fileStamp(startedAt)}.json`,
      JSON.stringify({ startedAt, mode, ha }, null, 2) + "\n",
    );
    return 0;
  }

  const run: BenchRun = {
    startedAt,
    mode,
    host: {
      cpus: navigator.hardwareConcurrency,
      os: `${Deno.build.os} ${Deno.osRelease()}`,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
    },
    durationS: 0,
    backends: [],
  };
  if (opts.only?.includes("api")) {
    const api = await runApiBench(opts.quick, backends, progress);
    const report = renderApi(api);
    console.log(report);
    await Deno.mkdir(outDir, { recursive: true });
    const file = `${outDir}/api-${fileStamp(startedAt)}.json`;
    await Deno.writeTextFile(file, JSON.stringify(api, null, 2) + "\n");
    progress(`results written to ${file}`);
    if (opts.only.length === 1) return 0;
  }
  const dir = await Deno.makeTempDir({ prefix: "goippy-bench-" });
  let xmpp: XmppServer | null = null;
  let maria = null;
  try {
    const needXmpp = !opts.only || opts.only.includes("xmpp");
    if (needXmpp) progress("starting Prosody");
    if (needXmpp) {
      try {
        xmpp = await startProsody({
          domain: "example.org",
          componentJid: "sms.example.org",
          componentSecret: "bench-secret",
          users: [
            ...backends.map((b) => ({
              user: `${xmppPrefix(b)}x0`,
              password: "pw",
            })),
            { user: FLOOR_USER, password: "pw" },
          ],
        });
      } catch (e) {
        progress(`Prosody did not start: ${(e as Error).message}`);
      }
    }
    for (const backend of backends) {
      const ctx: BackendContext = {
        backend,
        params: params(mode),
        dir,
        maria: null,
        xmpp,
        progress,
        parts: opts.only ? new Set(opts.only) : undefined,
        around: opts.profile
          ? profiler(`${outDir}/profiles`, progress)
          : undefined,
      };
      if (backend === "mysql") {
        progress("starting MariaDB");
        maria = await startMariaDb({ serverArgs: BENCH_MARIADB_ARGS });
        if (!maria) {
          run.backends.push({
            backend,
            keepalive: null,
            receive: null,
            e2e: null,
            xmppToSms: null,
            idle: null,
            cold: null,
            fleet: null,
            notes: ["skipped: /usr/sbin/mariadbd not found"],
          });
          continue;
        }
        ctx.maria = maria;
      }
      run.backends.push(await runBackend(ctx));
      if (maria) {
        await maria.stop();
        maria = null;
      }
    }
  } finally {
    await xmpp?.stop();
    await maria?.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  run.durationS = (performance.now() - started) / 1000;
  const report = renderReport(run);
  console.log(report);
  await Deno.mkdir(outDir, { recursive: true });
  const json = JSON.stringify(run, null, 2) + "\n";
  await Deno.writeTextFile(`${outDir}/${fileStamp(startedAt)}.json`, json);
  // Only a complete run becomes "latest" (the README's table).
  if (!opts.only && !opts.backend) {
    await Deno.writeTextFile(`${outDir}/latest.json`, json);
    await Deno.writeTextFile(`${outDir}/latest.md`, report);
  }
  progress(`results written to ${outDir}/${fileStamp(startedAt)}.json`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
