/**
 * The few system calls `--install`/`--uninstall`/`--list` make: paths under
 * `GOIPPY_ROOT`, the root check, running `systemctl`/`useradd` from `PATH`,
 * and looking a user up in `<root>/etc/passwd`.
 *
 * @module
 */

import { underRoot } from "../config/load.ts";

/** Where the service commands write and what they print through. */
export interface SystemContext {
  /** The environment (`GOIPPY_ROOT`, `PATH`). */
  env: Record<string, string | undefined>;
  /** Effective user id (null when unknown). */
  uid: number | null;
  /** Prints one line of progress (stdout). */
  out: (line: string) => void;
  /** Prints one line of trouble (stderr). */
  err: (line: string) => void;
}

/** The context of the running process. */
export function processContext(): SystemContext {
  return {
    env: Deno.env.toObject(),
    uid: Deno.uid(),
    out: (l) => console.log(l),
    err: (l) => console.error(`goippy: ${l}`),
  };
}

/** Why these commands cannot run here, or null when they can. */
export function rootProblem(
  ctx: Pick<SystemContext, "env" | "uid">,
): string | null {
  if (ctx.env.GOIPPY_ROOT) return null;
  if (ctx.uid === 0) return null;
  return "must be run as root (or with GOIPPY_ROOT set to a directory to install into)";
}

/** `<GOIPPY_ROOT>` + an absolute system path. */
export function sysPath(ctx: Pick<SystemContext, "env">, abs: string): string {
  return underRoot(abs, ctx.env);
}

/** True when `GOIPPY_ROOT` points somewhere else than `/`. */
export function isAltRoot(ctx: Pick<SystemContext, "env">): boolean {
  const r = ctx.env.GOIPPY_ROOT;
  return !!r && r.replace(/\/+$/, "") !== "";
}

/** Result of a command run from `PATH`. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `cmd args…` (found in PATH); a missing program gives code 127. */
export async function run(
  ctx: Pick<SystemContext, "env">,
  cmd: string,
  args: string[],
): Promise<RunResult> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      env: definedOnly(ctx.env),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
    };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${cmd}: not found in PATH` };
    }
    throw err;
  }
}

function definedOnly(
  env: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Run a command that must succeed; throws with its stderr otherwise. */
export async function mustRun(
  ctx: SystemContext,
  cmd: string,
  args: string[],
): Promise<void> {
  const res = await run(ctx, cmd, args);
  if (res.code !== 0) {
    const why = (res.stderr || res.stdout).trim().split("\n").slice(-1)[0];
    throw new Error(
      `${cmd} ${args.join(" ")} failed (exit ${res.code})${
        why ? `: ${why}` : ""
      }`,
    );
  }
  ctx.out(`ran: ${cmd} ${args.join(" ")}`);
}

/** uid/gid of a user from a passwd file's text, or undefined. */
export function lookupPasswd(
  text: string,
  user: string,
): { uid: number; gid: number } | undefined {
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f[0] === user && f.length >= 4) {
      const uid = Number(f[2]), gid = Number(f[3]);
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
    }
  }
  return undefined;
}

/** Read `<root>/etc/passwd` and look `user` up. */
export async function lookupUser(
  ctx: Pick<SystemContext, "env">,
  user: string,
): Promise<{ uid: number; gid: number } | undefined> {
  try {
    return lookupPasswd(
      await Deno.readTextFile(sysPath(ctx, "/etc/passwd")),
      user,
    );
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
