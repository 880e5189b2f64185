/**
 * `goippy --list`: every goippy unit under `<GOIPPY_ROOT>/etc/systemd/system`
 * with its config path and what `systemctl is-enabled`/`is-active` say.
 *
 * @module
 */

import { formatTable } from "../cli/table.ts";
import { configOfUnit } from "./unit.ts";
import {
  processContext,
  rootProblem,
  run,
  sysPath,
  type SystemContext,
} from "./system.ts";

/** One installed unit. */
export interface ServiceInfo {
  unit: string;
  configPath: string;
  enabled: string;
  active: string;
}

/** True for `goippy.service` and `goippy-<postfix>.service`. */
export function isGoippyUnit(name: string): boolean {
  return /^goippy(-[A-Za-z0-9][A-Za-z0-9_-]*)?\.service$/.test(name);
}

/** The installed goippy units, sorted by name. */
export async function findServices(ctx: SystemContext): Promise<ServiceInfo[]> {
  const dir = sysPath(ctx, "/etc/systemd/system");
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && isGoippyUnit(e.name)) names.push(e.name);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  names.sort();
  const out: ServiceInfo[] = [];
  for (const unit of names) {
    const text = await Deno.readTextFile(`${dir}/${unit}`);
    out.push({
      unit,
      configPath: configOfUnit(text),
      enabled: await ask(ctx, "is-enabled", unit),
      active: await ask(ctx, "is-active", unit),
    });
  }
  return out;
}

async function ask(ctx: SystemContext, verb: string, unit: string) {
  const res = await run(ctx, "systemctl", [verb, unit]);
  if (res.code === 127) return "unknown (no systemctl)";
  return res.stdout.trim().split("\n")[0] || "unknown";
}

/** Print the table of goippy units; resolves with the exit code. */
export async function listServices(
  opts: { ctx?: SystemContext } = {},
): Promise<number> {
  const ctx = opts.ctx ?? processContext();
  const problem = rootProblem(ctx);
  if (problem) {
    ctx.err(problem);
    return 1;
  }
  const services = await findServices(ctx);
  if (services.length === 0) {
    ctx.out(
      `no goippy units installed in ${sysPath(ctx, "/etc/systemd/system")}`,
    );
    return 0;
  }
  ctx.out(formatTable(
    ["UNIT", "CONFIG", "ENABLED", "ACTIVE"],
    services.map((s) => [s.unit, s.configPath, s.enabled, s.active]),
  ));
  return 0;
}
