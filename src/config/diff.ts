/**
 * Which settings differ between two configs (for SIGHUP reloads). Pure.
 *
 * @module
 */

import type { Config } from "./types.ts";
import { type ConfigKey, KEYS } from "./schema.ts";

/** Keys whose values differ, in `--check` order. */
export function changedKeys(before: Config, after: Config): ConfigKey[] {
  return (Object.keys(KEYS) as ConfigKey[]).filter((k) =>
    JSON.stringify(before[k]) !== JSON.stringify(after[k])
  );
}
