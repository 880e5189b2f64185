/**
 * The one list of permission flags and unstable features goippy runs with:
 * read from the `goippy` task in deno.json, so `deno task goippy`, the tests
 * that spawn the daemon and `deno task compile` can never disagree.
 *
 * It includes `--v8-flags=--max-semi-space-size=4`: V8's default young
 * generation grows to tens of MB, which in this long-running daemon (a live
 * heap of ~20 MB with 10,000 lines) is RSS and nothing else. Capped at 4 MB,
 * RSS under 10,000 idle lines went from 153 to 104 MB with the same CPU
 * (measured side by side, 4 windows of 15 s).
 *
 * @module
 */

/** Flags of `deno run` in the `goippy` task, e.g. `["--allow-net", …]`, plus `--unstable-*`. */
export async function goippyRunFlags(): Promise<string[]> {
  const url = new URL("../deno.json", import.meta.url);
  const config = JSON.parse(await Deno.readTextFile(url));
  const task: string = config.tasks.goippy;
  const flags = task.split(/\s+/).filter((t) => t.startsWith("--"));
  for (const feature of config.unstable ?? []) {
    flags.push(`--unstable-${feature}`);
  }
  return flags;
}

/** Absolute path of main.ts. */
export const MAIN_TS: string = new URL("../main.ts", import.meta.url).pathname;

/** The SQLite checkpoint worker, which `deno compile` must embed. */
export const WORKER_TS: string = new URL(
  "../src/store/sqlite_checkpoint_worker.ts",
  import.meta.url,
).pathname;

/** The SQLite connection's worker (the daemon's store), embedded likewise. */
export const SQLITE_WORKER_TS: string = new URL(
  "../src/store/sqlite_worker.ts",
  import.meta.url,
).pathname;
