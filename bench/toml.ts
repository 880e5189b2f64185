/**
 * A flat TOML document from plain values, for the daemon's config file.
 * Pure.
 *
 * @module
 */

/** A value the config file can hold. */
export type TomlValue = string | number | boolean | string[];

/**
 * `KEY = value` lines (strings and arrays JSON-quoted, which TOML accepts
 * for basic strings). Throws on a key TOML would need quoting for, or a
 * number that is not finite.
 */
export function toToml(values: Record<string, TomlValue>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (!/^[A-Za-z0-9_-]+$/.test(key)) {
      throw new Error(`config key not bare: ${JSON.stringify(key)}`);
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new Error(`config ${key}: not a finite number`);
    }
    lines.push(`${key} = ${JSON.stringify(value)}`);
  }
  return lines.join("\n") + "\n";
}
