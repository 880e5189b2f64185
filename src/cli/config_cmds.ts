/**
 * `--check` and `--sample`: the config file from the command line.
 *
 * @module
 */

import { configPath, loadConfig, underRoot } from "../config/load.ts";
import { dirname, join, resolve } from "node:path";
import { SAMPLE_CONFIG, sampleConfig } from "../config/sample.ts";
import { showConfig } from "../config/show.ts";
import { ConfigError } from "../config/error.ts";
import { UsageError } from "./args.ts";
import type { CliIo } from "./io.ts";
import { preflight } from "./preflight.ts";

/**
 * `--check`: validate, print effective settings (secrets masked), then try
 * what the daemon does at start (database, UDP port, XMPP host); 0 when it
 * would start, 1 not.
 */
export async function checkConfig(
  path: string | undefined,
  io: CliIo,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<number> {
  const where = configPath({ path, env }).path;
  try {
    const { config, notes, warnings } = await loadConfig({ path, env });
    for (const w of warnings) io.err(`goippy: warning: ${w}`);
    for (const note of notes) io.err(`goippy: note: ${note}`);
    io.out(
      `# effective settings (${config.sourcePath || "built-in defaults"})`,
    );
    io.out(showConfig(config));
    const { problems, notes: found } = await preflight(config);
    for (const n of found) io.err(`goippy: note: ${n}`);
    for (const p of problems) io.err(`goippy: ${p}`);
    if (problems.length) {
      io.err(`goippy: configuration file ${where} test failed`);
      return 1;
    }
    io.err(`goippy: configuration file ${where} test is successful`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`goippy: ${err.message}`);
    io.err(`goippy: configuration file ${where} test failed`);
    return 1;
  }
}

/**
 * `--sample [FILE] [--force]`: write the commented sample with mode 0600;
 * its SQLITE_PATH is /var/lib/goippy for the system config, else beside FILE.
 */
export async function writeSample(
  file: string | undefined,
  force: boolean,
  io: CliIo,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<number> {
  if (file === "-") {
    io.out(SAMPLE_CONFIG.replace(/\n$/, ""));
    return 0;
  }
  const system = underRoot("etc/goippy.conf", env);
  const path = file ?? system;
  // The system config keeps its database in the state directory that
  // --install creates; a config written anywhere else (a try-out) keeps it
  // beside itself, so it runs as written, from any working directory.
  const text = resolve(path) === resolve(system)
    ? SAMPLE_CONFIG
    : sampleConfig({
      sqlitePath: join(dirname(resolve(path)), "goippy.sqlite3"),
    });
  try {
    const info = await Deno.lstat(path);
    if (!force) {
      throw new UsageError(
        `${path} exists already; use --force to overwrite it`,
      );
    }
    if (!info.isFile) throw new UsageError(`${path} is not a regular file`);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  try {
    await Deno.writeTextFile(path, text, {
      mode: 0o600,
      createNew: !force,
    });
    await Deno.chmod(path, 0o600);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such directory"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : err instanceof Deno.errors.AlreadyExists
      ? "it exists already; use --force to overwrite it"
      : (err as Error).message;
    throw new UsageError(`cannot write ${path}: ${why}`);
  }
  io.out(
    `wrote sample config to ${path} (mode 0600); check it with: ` +
      `goippy --config ${path} --check`,
  );
  return 0;
}
