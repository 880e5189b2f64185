/**
 * Config keys set from the environment: `GOIPPY_SET_<KEY>=<TOML value>`
 * (`GOIPPY_SET_GOIP_UDP_PORT=45000`, `GOIPPY_SET_DB_PASS='"secret"'`) sets
 * KEY over the config file, or over the built-in defaults when there is
 * none, through the same checks as the file. Pure.
 *
 * @module
 */

import { parse, TomlError } from "smol-toml";
import { ConfigError } from "./error.ts";
import { ALIASES, KEYS } from "./schema.ts";

/** Prefix of the environment variables that set one config key each. */
export const ENV_SET_PREFIX = "GOIPPY_SET_";

/** One key set by the environment. */
export interface EnvSetting {
  /** The variable, e.g. `GOIPPY_SET_GOIP_UDP_PORT`. */
  variable: string;
  /** The key as written after the prefix (a key or an alias). */
  key: string;
  value: unknown;
}

/**
 * The `GOIPPY_SET_*` variables of `env`, by name. Throws
 * {@linkcode ConfigError} naming the variable when its value is not TOML.
 */
export function envSettings(
  env: Record<string, string | undefined>,
): EnvSetting[] {
  const out: EnvSetting[] = [];
  for (const variable of Object.keys(env).sort()) {
    const text = env[variable];
    if (!variable.startsWith(ENV_SET_PREFIX) || text === undefined) continue;
    const key = variable.slice(ENV_SET_PREFIX.length);
    let value: unknown;
    try {
      value = parse(`v = ${text}`).v;
    } catch (err) {
      if (!(err instanceof TomlError)) throw err;
      throw new ConfigError(
        `${variable}: not a TOML value (a string needs quotes: '"text"')`,
        key,
      );
    }
    out.push({ variable, key, value });
  }
  return out;
}

/**
 * `raw` (the file's keys) with each setting applied: it replaces what the
 * file set for the same key, under any of its names.
 */
export function applySettings(
  raw: Record<string, unknown>,
  settings: EnvSetting[],
): Record<string, unknown> {
  const canonical = (name: string) =>
    name in KEYS ? name : ALIASES[name] ?? name;
  const out = { ...raw };
  for (const s of settings) {
    for (const name of Object.keys(out)) {
      if (canonical(name) === canonical(s.key)) delete out[name];
    }
    out[s.key] = s.value;
  }
  return out;
}
