/**
 * Runs the real goippy CLI the way a user does, with the daemon's exact
 * permission flags (scripts/flags.ts), so a missing permission shows up.
 *
 * @module
 */

import { goippyRunFlags, MAIN_TS } from "../../scripts/flags.ts";

/** What one CLI run printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The small clean environment goippy runs in under test (use with
 * `clearEnv: true`): PATH, HOME, DENO_DIR and TMPDIR from this process,
 * NO_COLOR, then `extra`.
 */
export function goippyEnv(
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "DENO_DIR", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Run `goippy <args>` with the daemon's exact flags and a small clean env. */
export async function goippy(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", ...await goippyRunFlags(), MAIN_TS, ...args],
    env: goippyEnv(opts.env),
    clearEnv: true,
    cwd: opts.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(90_000),
  });
  const out = await cmd.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}
