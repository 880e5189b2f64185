/**
 * The effective settings as TOML, secrets masked (what `--check` prints).
 *
 * @module
 */

import type { Config } from "./types.ts";
import { type ConfigKey, KEYS, SECRET_KEYS } from "./schema.ts";

/** `KEY = value` lines of every setting; set secrets read `"***"`. */
export function showConfig(config: Config): string {
  const lines: string[] = [];
  for (const key of Object.keys(KEYS) as ConfigKey[]) {
    const value = config[key];
    if (key === "WEBHOOKS") {
      const hooks = config.WEBHOOKS.map((w) =>
        `{ url = ${JSON.stringify(w.url)}, events = ${
          JSON.stringify(w.events)
        }, secret = "***" }`
      );
      lines.push(`${key} = [${hooks.join(", ")}]`);
      continue;
    }
    const shown = SECRET_KEYS.includes(key) && value !== "" ? "***" : value;
    lines.push(`${key} = ${JSON.stringify(shown)}`);
  }
  return lines.join("\n");
}
