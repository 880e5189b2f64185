/**
 * `goippy --install [postfix]`, `--uninstall [postfix]` and `--list`: put
 * goippy under systemd. Every system path sits under `GOIPPY_ROOT` (default
 * `/`) and `systemctl`/`useradd` come from `PATH`, so tests run the real
 * commands into a temp directory with recording fakes.
 *
 * @module
 */

import { sampleConfig } from "../config/sample.ts";
import { goippyRunFlags, MAIN_TS } from "../../scripts/flags.ts";
import {
  type Instance,
  instanceFor,
  PostfixError,
  SERVICE_USER,
  unitText,
} from "./unit.ts";
import {
  exists,
  isAltRoot,
  lookupUser,
  mustRun,
  processContext,
  rootProblem,
  sysPath,
  type SystemContext,
} from "./system.ts";

export { listServices } from "./list.ts";

/** Where the installed binary goes. */
export const BINARY_PATH = "/usr/local/bin/goippy";

/** Knobs for tests; the defaults describe the running process. */
export interface InstallOptions {
  ctx?: SystemContext;
  /** The running executable (default `Deno.execPath()`). */
  execPath?: string;
}

/** True when `execPath` is the Deno CLI itself rather than a compiled goippy. */
export function isDenoCli(execPath: string): boolean {
  const base = execPath.split("/").pop() ?? "";
  return base === "deno" || base === "deno.exe";
}

/** ExecStart words: the compiled binary, or Deno with goippy's flags. */
export function execStartFor(opts: {
  execPath: string;
  flags: string[];
  mainTs: string;
  configPath: string;
}): string[] {
  if (isDenoCli(opts.execPath)) {
    return [
      opts.execPath,
      "run",
      ...opts.flags,
      opts.mainTs,
      "--config",
      opts.configPath,
    ];
  }
  return [BINARY_PATH, "--config", opts.configPath];
}

/** The instance a command works on, or the exit code of its refusal (not root, bad postfix). */
function checkedInstance(
  ctx: SystemContext,
  postfix: string | undefined,
): Instance | number {
  const problem = rootProblem(ctx);
  if (problem) return refuse(ctx, problem);
  try {
    return instanceFor(postfix ?? "");
  } catch (err) {
    if (err instanceof PostfixError) return refuse(ctx, err.message);
    throw err;
  }
}

/** Install (or refresh) the unit and start it; resolves with the exit code. */
export async function installService(
  postfix?: string,
  opts: InstallOptions = {},
): Promise<number> {
  const ctx = opts.ctx ?? processContext();
  const inst = checkedInstance(ctx, postfix);
  if (typeof inst === "number") return inst;
  try {
    const execPath = opts.execPath ?? Deno.execPath();
    if (!isDenoCli(execPath)) await installBinary(ctx, execPath);
    const owner = await ensureUser(ctx);
    await ensureStateDir(ctx, inst, owner);
    await ensureConfig(ctx, inst, owner);
    const unitPath = sysPath(ctx, `/etc/systemd/system/${inst.unitName}`);
    await Deno.mkdir(sysPath(ctx, "/etc/systemd/system"), { recursive: true });
    const denoCli = isDenoCli(execPath);
    if (denoCli && /^\/(root|home|run\/user)(\/|$)/.test(MAIN_TS)) {
      ctx.err(
        `warning: ${MAIN_TS} is under a home directory, which the service cannot see (ProtectHome=yes); ` +
          "install the compiled binary instead, or put the checkout elsewhere (e.g. /opt/goippy)",
      );
    }
    const text = unitText({
      instance: inst,
      // Deno itself needs a writable cache: the state directory.
      environment: denoCli
        ? { DENO_DIR: `${inst.stateDir}/.deno`, DENO_NO_UPDATE_CHECK: "1" }
        : undefined,
      execStart: execStartFor({
        execPath,
        // Only Deno itself needs the flags; a compiled binary has them built
        // in (and deno.json is not beside it to be read).
        flags: denoCli ? await goippyRunFlags() : [],
        mainTs: MAIN_TS,
        configPath: inst.configPath,
      }),
    });
    const reinstall = await exists(unitPath);
    await Deno.writeTextFile(unitPath, text, { mode: 0o644 });
    await Deno.chmod(unitPath, 0o644);
    ctx.out(`wrote ${unitPath}`);
    await mustRun(ctx, "systemctl", ["daemon-reload"]);
    await mustRun(ctx, "systemctl", ["enable", "--now", inst.unitName]);
    // A running instance keeps its old binary and unit until restarted.
    if (reinstall) {
      await mustRun(ctx, "systemctl", ["try-restart", inst.unitName]);
    }
    ctx.out(
      `installed ${inst.unitName}: config ${inst.configPath}, data ${inst.stateDir}; ` +
        `logs: journalctl -u ${inst.unitName}`,
    );
    return 0;
  } catch (err) {
    return refuse(ctx, `install failed: ${(err as Error).message}`);
  }
}

/** Stop, disable and remove the unit; config and data stay. */
export async function uninstallService(
  postfix?: string,
  opts: InstallOptions = {},
): Promise<number> {
  const ctx = opts.ctx ?? processContext();
  const inst = checkedInstance(ctx, postfix);
  if (typeof inst === "number") return inst;
  const unitPath = sysPath(ctx, `/etc/systemd/system/${inst.unitName}`);
  if (!(await exists(unitPath))) {
    return refuse(ctx, `${inst.unitName} is not installed (no ${unitPath})`);
  }
  try {
    await mustRun(ctx, "systemctl", ["disable", "--now", inst.unitName]);
    await Deno.remove(unitPath);
    ctx.out(`removed ${unitPath}`);
    await mustRun(ctx, "systemctl", ["daemon-reload"]);
  } catch (err) {
    return refuse(ctx, `uninstall failed: ${(err as Error).message}`);
  }
  ctx.out(
    `uninstalled ${inst.unitName}; kept the config ${
      sysPath(ctx, inst.configPath)
    } and the data in ${
      sysPath(ctx, inst.stateDir)
    } (remove them by hand if no longer needed; the system user goippy stays too)`,
  );
  return 0;
}

function refuse(ctx: SystemContext, message: string): number {
  ctx.err(message);
  return 1;
}

async function installBinary(ctx: SystemContext, execPath: string) {
  const target = sysPath(ctx, BINARY_PATH);
  if (await exists(target)) {
    const [a, b] = await Promise.all([
      Deno.realPath(execPath),
      Deno.realPath(target),
    ]);
    if (a === b) {
      ctx.out(`${target} is the running binary; left as is`);
      return;
    }
  }
  await Deno.mkdir(sysPath(ctx, "/usr/local/bin"), { recursive: true });
  const tmp = `${target}.new-${Deno.pid}`;
  await Deno.copyFile(execPath, tmp);
  await Deno.chmod(tmp, 0o755);
  await Deno.rename(tmp, target);
  ctx.out(`installed ${execPath} as ${target}`);
}

async function ensureUser(
  ctx: SystemContext,
): Promise<{ uid: number; gid: number }> {
  let owner = await lookupUser(ctx, SERVICE_USER);
  if (!owner) {
    const args = [
      "--system",
      "--user-group",
      "--home-dir",
      "/var/lib/goippy",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      "--comment",
      "goippy SMS bridge",
      SERVICE_USER,
    ];
    if (isAltRoot(ctx)) args.unshift("--prefix", sysPath(ctx, "/"));
    await mustRun(ctx, "useradd", args);
    owner = await lookupUser(ctx, SERVICE_USER);
    if (!owner) {
      throw new Error(
        `useradd ran but user ${SERVICE_USER} is not in ${
          sysPath(ctx, "/etc/passwd")
        }`,
      );
    }
  } else {
    ctx.out(`system user ${SERVICE_USER} exists (uid ${owner.uid})`);
  }
  return owner;
}

async function ensureStateDir(
  ctx: SystemContext,
  inst: Instance,
  owner: { uid: number; gid: number },
) {
  const dir = sysPath(ctx, inst.stateDir);
  const had = await exists(dir);
  await Deno.mkdir(sysPath(ctx, "/var/lib"), { recursive: true });
  await Deno.mkdir(dir, { recursive: true, mode: 0o750 });
  if (!had) {
    await Deno.chmod(dir, 0o750);
    await Deno.chown(dir, owner.uid, owner.gid);
    ctx.out(`created ${dir} (owner ${SERVICE_USER}, mode 0750)`);
  } else {
    await Deno.chown(dir, owner.uid, owner.gid);
    ctx.out(`kept ${dir} (owner set to ${SERVICE_USER})`);
  }
}

async function ensureConfig(
  ctx: SystemContext,
  inst: Instance,
  owner: { uid: number; gid: number },
) {
  const path = sysPath(ctx, inst.configPath);
  await Deno.mkdir(sysPath(ctx, "/etc"), { recursive: true });
  if (await exists(path)) {
    await Deno.chown(path, owner.uid, owner.gid);
    ctx.out(
      `kept ${path} (owner set to ${SERVICE_USER} so the service can read it)`,
    );
    return;
  }
  const text = sampleConfig({ sqlitePath: `${inst.stateDir}/goippy.sqlite3` });
  await Deno.writeTextFile(path, text, { mode: 0o600, createNew: true });
  await Deno.chmod(path, 0o600);
  await Deno.chown(path, owner.uid, owner.gid);
  ctx.out(
    `created ${path} from the sample (mode 0600, owner ${SERVICE_USER}); edit it, then: systemctl restart ${inst.unitName}`,
  );
}
