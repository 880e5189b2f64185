/**
 * Reading the config file: where it is, TOML (or the original Python-style
 * syntax), aliases, checks. Path: `--config FILE`, else env `GOIPPY_CONFIG`,
 * else `${GOIPPY_ROOT:-/}etc/goippy.conf`; `GOIPPY_SET_<KEY>` variables set
 * single keys over it (`env_overlay.ts`).
 *
 * @module
 */

import { parse, TomlError } from "smol-toml";
import type { Config } from "./types.ts";
import { ConfigError } from "./error.ts";
import { defaultConfig } from "./defaults.ts";
import { pythonToToml } from "./python_compat.ts";
import { buildConfig } from "./schema.ts";
import { explainTomlError } from "./toml_error.ts";
import { applySettings, envSettings } from "./env_overlay.ts";

export { ConfigError } from "./error.ts";
export { defaultConfig } from "./defaults.ts";

/** Where to look and which environment to read. */
export interface LoadOptions {
  /** An explicitly named file (`--config`); missing → error. */
  path?: string;
  /** Environment (defaults to `Deno.env.toObject()`). */
  env?: Record<string, string | undefined>;
}

/** A loaded config and remarks worth one log line each. */
export interface LoadedConfig {
  config: Config;
  /** Remarks for the daemon and `--check` (e.g. no config file: defaults). */
  notes: string[];
  /** Problems every command should show (e.g. the file is readable by others). */
  warnings: string[];
}

/** `${GOIPPY_ROOT:-/}` + `rel`, with exactly one slash between. */
export function underRoot(
  rel: string,
  env: Record<string, string | undefined>,
): string {
  const root = env.GOIPPY_ROOT || "/";
  return root.replace(/\/+$/, "") + "/" + rel.replace(/^\/+/, "");
}

/** The config path goippy uses, and whether it was named explicitly. */
export function configPath(
  opts: LoadOptions,
): { path: string; explicit: boolean } {
  const env = opts.env ?? Deno.env.toObject();
  if (opts.path) return { path: opts.path, explicit: true };
  if (env.GOIPPY_CONFIG) return { path: env.GOIPPY_CONFIG, explicit: true };
  return { path: underRoot("etc/goippy.conf", env), explicit: false };
}

/** Load, check and return the effective config. Throws {@linkcode ConfigError}. */
export async function loadConfig(
  opts: LoadOptions = {},
): Promise<LoadedConfig> {
  const { path, explicit } = configPath(opts);
  const env = opts.env ?? Deno.env.toObject();
  const notes: string[] = [];
  const warnings: string[] = [];
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound && !explicit) {
      notes.push(`no config file at ${path}: running on built-in defaults`);
      const config = withEnv(null, env, notes);
      return { config, notes, warnings };
    }
    const why = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : err instanceof Deno.errors.IsADirectory
      ? "is a directory"
      : (err as Error).message;
    throw new ConfigError(`cannot read config file ${path}: ${why}`);
  }
  try {
    const mode = (await Deno.stat(path)).mode;
    if (mode !== null && (mode & 0o044) !== 0) {
      warnings.push(
        `config file ${path} is readable by group/others (mode ${
          (mode & 0o777).toString(8).padStart(4, "0")
        }); it holds passwords: chmod 600 ${path}`,
      );
    }
  } catch {
    // stat failing right after a successful read is not worth an error
  }
  const config = withEnv(parseRaw(text, path), env, notes);
  config.sourcePath = path;
  return { config, notes, warnings };
}

/** Parse config text (TOML or Python-style); pure apart from `notes`. */
export function parseConfigText(
  text: string,
  notes: string[] = [],
  name = "config",
): Config {
  const { raw, lines } = parseRaw(text, name);
  return buildConfig(raw, lines, notes);
}

/**
 * The file's keys (null: no file, the built-in defaults) with each
 * `GOIPPY_SET_*` variable applied, checked.
 */
function withEnv(
  file: { raw: Record<string, unknown>; lines: Map<string, number> } | null,
  env: Record<string, string | undefined>,
  notes: string[],
): Config {
  const settings = envSettings(env);
  if (!settings.length) {
    return file ? buildConfig(file.raw, file.lines, notes) : defaultConfig();
  }
  // A key set by a variable has no line in the file.
  const lines = new Map(
    [...file?.lines ?? []].filter(([n]) => !settings.some((s) => s.key === n)),
  );
  try {
    const config = buildConfig(
      applySettings(file?.raw ?? {}, settings),
      lines,
      notes,
    );
    for (const s of settings) notes.push(`${s.key} set by ${s.variable}`);
    return config;
  } catch (err) {
    const s = err instanceof ConfigError &&
      settings.find((s) => s.key === err.key);
    if (!s) throw err;
    throw new ConfigError(`${s.variable}: ${(err as Error).message}`, s.key);
  }
}

/** Config text (TOML or Python-style) as raw keys and their lines. */
function parseRaw(
  text: string,
  name: string,
): { raw: Record<string, unknown>; lines: Map<string, number> } {
  if (text.includes("\0")) {
    throw new ConfigError(`${name} is not a text file (it holds NUL bytes)`);
  }
  const toml = pythonToToml(text.replace(/^\uFEFF/, ""));
  let raw: Record<string, unknown>;
  try {
    raw = parse(toml) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = explainTomlError(err, toml);
      const key = keyOnLine(toml, err.line);
      throw new ConfigError(
        `${name}: line ${err.line}${key ? ` (${key})` : ""}: ${first}`,
        key,
        err.line,
      );
    }
    throw new ConfigError(`${name}: ${(err as Error).message}`);
  }
  return { raw, lines: keyLines(toml) };
}

const KEY_LINE = /^\s*["']?([A-Za-z0-9_-]+)["']?\s*=/;

function keyOnLine(text: string, line: number): string {
  const l = text.split("\n")[line - 1] ?? "";
  return (KEY_LINE.exec(l) ?? /^\s*([A-Za-z][A-Za-z0-9_]*)\b/.exec(l))?.[1] ??
    "";
}

/** Top-level key → 1-based line of its assignment. */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split("\n").forEach((l, i) => {
    const m = KEY_LINE.exec(l);
    if (m && !lines.has(m[1])) lines.set(m[1], i + 1);
  });
  return lines;
}
