/**
 * `--limits <ext> [key=value…]`: a gateway's own send limits and pacing,
 * over the config's defaults. `hour=30 day=200 recipients=100 interval=5
 * jitter=2` set them (0 = no limit / no pause for this gateway), `hour=-`
 * puts one back to the default, `default` puts all back; with no setting it
 * shows the limits in force.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import { lineLimits } from "../limits/mod.ts";
import type { Gateway, GatewayLimits, Store } from "../store/types.ts";
import { UsageError } from "./args.ts";
import type { CliIo } from "./io.ts";
import { checkExt } from "./validate.ts";

/** `--limits` keys → gateway override fields, in display order. */
const KEYS: [string, keyof GatewayLimits][] = [
  ["hour", "hour"],
  ["day", "day"],
  ["recipients", "recipients"],
  ["interval", "interval"],
  ["jitter", "jitter"],
];

/** The largest value taken (fits every database's integer column). */
const MAX = 1_000_000_000;

/** The settings of `--limits <ext> …` (after the ext). Throws {@linkcode UsageError}. */
export function parseLimitArgs(words: string[]): Partial<GatewayLimits> {
  const change: Partial<GatewayLimits> = {};
  for (const word of words) {
    if (word === "default") {
      for (const [, field] of KEYS) change[field] = null;
      continue;
    }
    const m = /^([a-z]+)=(.*)$/.exec(word);
    const field = KEYS.find(([k]) => k === m?.[1])?.[1];
    if (!m || !field) {
      throw new UsageError(
        `--limits: "${word}" is not a setting; use ${
          KEYS.map(([k]) => `${k}=N`).join(" ")
        } (N = 0 for none, - for the default) or "default"`,
      );
    }
    const v = m[2];
    if (v === "-" || v === "default") {
      change[field] = null;
    } else if (/^\d+$/.test(v) && Number(v) <= MAX) {
      change[field] = Number(v);
    } else {
      throw new UsageError(
        `--limits: ${
          m[1]
        } must be a whole number 0…${MAX} or - (the default), not "${v}"`,
      );
    }
  }
  return change;
}

/** `hour=30 interval=5` for the overrides a gateway has, "" when none. */
export function overridesText(g: Pick<Gateway, "limits">): string {
  return KEYS.filter(([, f]) => g.limits?.[f] != null)
    .map(([k, f]) => `${k}=${g.limits![f]}`).join(" ");
}

/** `--limits <ext> [key=value…]`. */
export async function setLimits(
  store: Store,
  args: string[],
  config: Config,
  io: CliIo,
): Promise<number> {
  const [ext, ...words] = args;
  checkExt(ext);
  const change = parseLimitArgs(words);
  if (!(await store.setGatewayLimits(ext, change))) {
    throw new UsageError(`no gateway ${ext}`);
  }
  const g = (await store.gatewayByExt(ext))!;
  const l = lineLimits(g, config);
  const n = (v: number, unit = "") => v > 0 ? `${v}${unit}` : "none";
  const own = overridesText(g);
  io.out(
    `gateway ${ext}: ${n(l.hour)} SMS per hour, ${n(l.day)} per day (UTC), ` +
      `${n(l.recipients)} recipients per month (UTC); ` +
      `interval ${l.intervalS} s, jitter ${l.jitterS} s` +
      ` (${own ? `own: ${own}; the rest` : "all"} from the config)`,
  );
  return 0;
}
