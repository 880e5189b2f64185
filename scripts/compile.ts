/**
 * `deno task compile [--output FILE]`: build the single `goippy` executable
 * with exactly the permission flags and unstable features of
 * `deno task goippy` (from scripts/flags.ts).
 *
 * `deno compile` needs Deno's runtime "denort" of the same version. It uses
 * `DENORT_BIN` when set, else its cache, else it downloads it from
 * dl.deno.land. When none of these works this script says so up front (the
 * download is probed with a bounded timeout) and exits non-zero — never a
 * silent skip. A built binary is checked by running `--version`.
 *
 * @module
 */

import {
  goippyRunFlags,
  MAIN_TS,
  SQLITE_WORKER_TS,
  WORKER_TS,
} from "./flags.ts";

const DENO = Deno.version.deno;
const TARGET = Deno.build.target;
const DENORT_URL = `https://dl.deno.land/release/v${DENO}/denort-${TARGET}.zip`;
const PROBE_TIMEOUT_MS = 15_000;
const COMPILE_TIMEOUT_MS = 15 * 60_000;

/** How to get a runtime, said whenever there is none. */
export function howToBuild(reason: string): string {
  return [
    `cannot build goippy: Deno's runtime "denort" ${DENO} (${TARGET}) is not available: ${reason}`,
    "",
    "deno compile needs it, and downloads it from dl.deno.land unless DENORT_BIN names one. Either:",
    "  - build on a machine with internet access (same OS/CPU): `deno task compile` there, then copy ./goippy here; or",
    `  - fetch ${DENORT_URL} on such a machine, unzip it, copy \`denort\` here and run:`,
    "      DENORT_BIN=/path/to/denort deno task compile",
    `    (the denort must be exactly version ${DENO}).`,
  ].join("\n");
}

/** Why a `DENORT_BIN` path cannot be used, or null when it looks fine. */
export async function denortBinProblem(path: string): Promise<string | null> {
  try {
    const st = await Deno.stat(path);
    if (!st.isFile) return `DENORT_BIN=${path} is not a file`;
    if (st.mode !== null && (st.mode & 0o111) === 0) {
      return `DENORT_BIN=${path} is not executable (chmod +x it)`;
    }
    return null;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return `DENORT_BIN=${path} does not exist`;
    }
    return `DENORT_BIN=${path} cannot be read: ${(err as Error).message}`;
  }
}

async function cachedDenort(): Promise<boolean> {
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const dir = JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
    if (typeof dir !== "string") return false;
    const st = await Deno.stat(
      `${dir}/dl/release/v${DENO}/denort-${TARGET}.zip`,
    );
    return st.isFile;
  } catch {
    return false;
  }
}

/** null when dl.deno.land answers within the timeout, else why not. */
async function probeDownload(): Promise<string | null> {
  try {
    const res = await fetch(DENORT_URL, {
      method: "HEAD",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (res.ok) return null;
    return `${DENORT_URL} answered HTTP ${res.status}`;
  } catch (err) {
    const e = err as Error;
    const why = e.name === "TimeoutError"
      ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
      : (e.message ?? String(e)).split("\n")[0];
    return `dl.deno.land cannot be reached (${why})`;
  }
}

function parseOutput(args: string[]): string {
  const i = args.indexOf("--output");
  if (i >= 0 && args[i + 1]) return args[i + 1];
  if (args.length > 0) {
    throw new Error(`usage: deno task compile [--output FILE]`);
  }
  return new URL("../goippy", import.meta.url).pathname;
}

/** Build; resolves with the exit code. */
export async function compile(args: string[]): Promise<number> {
  let output: string;
  try {
    output = parseOutput(args);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const denortBin = Deno.env.get("DENORT_BIN");
  if (denortBin) {
    const problem = await denortBinProblem(denortBin);
    if (problem) {
      console.error(howToBuild(problem));
      return 1;
    }
  } else if (!(await cachedDenort())) {
    const problem = await probeDownload();
    if (problem) {
      console.error(howToBuild(`DENORT_BIN is not set and ${problem}`));
      return 1;
    }
  }
  const flags = await goippyRunFlags();
  const cmd = [
    "compile",
    ...flags,
    // Started with `new Worker(new URL(...))`: embed them explicitly.
    "--include",
    WORKER_TS,
    "--include",
    SQLITE_WORKER_TS,
    "--output",
    output,
    MAIN_TS,
  ];
  console.error(`deno ${cmd.join(" ")}`);
  const res = await new Deno.Command(Deno.execPath(), {
    args: cmd,
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
    signal: AbortSignal.timeout(COMPILE_TIMEOUT_MS),
  }).output();
  const stderr = new TextDecoder().decode(res.stderr);
  if (res.code !== 0) {
    console.error(stderr.trimEnd());
    const denortTrouble = /denort|dl\.deno\.land|base binary/i.test(stderr);
    console.error(
      denortTrouble
        ? howToBuild("deno compile could not set up the runtime (see above)")
        : `deno compile failed (exit ${res.code})`,
    );
    return 1;
  }
  return await checkBinary(output, denortBin);
}

async function checkBinary(
  output: string,
  denortBin: string | undefined,
): Promise<number> {
  let text = "";
  try {
    const out = await new Deno.Command(output, {
      args: ["--version"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    text = new TextDecoder().decode(out.stdout);
  } catch (err) {
    text = `(${(err as Error).message})`;
  }
  if (!text.startsWith("goippy ")) {
    await Deno.remove(output).catch(() => {});
    console.error(
      `the built binary does not run goippy (\`${output} --version\` printed ${
        JSON.stringify(text.slice(0, 80))
      }); removed it.` +
        (denortBin
          ? `\nDENORT_BIN=${denortBin} is probably not a denort of Deno ${DENO} (the plain deno CLI does not work).`
          : ""),
    );
    return 1;
  }
  console.error(`built ${output}:\n${text.trimEnd()}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await compile(Deno.args));
}
