/**
 * `goippy [options]`: the daemon when no command flag is given, else one
 * admin command. Every refusal is one line on stderr and a non-zero exit.
 *
 * @module
 */

import { type CliArgs, parseCliArgs, UsageError } from "./args.ts";
import { USAGE } from "./usage.ts";
import { ConfigError, loadConfig, type LoadedConfig } from "../config/load.ts";
import { createLogger, type Logger } from "../log.ts";
import { runDaemon } from "../daemon.ts";
import { DIALECTS, VERSION } from "../version.ts";

/** Run goippy with these arguments; resolves with the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let cli: CliArgs;
  try {
    cli = parseCliArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message);
    throw err;
  }
  try {
    return await dispatch(cli);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      return fail(err.message);
    }
    return fail(`${(err as Error).message ?? err}`);
  }
}

/** Print one line on stderr; returns exit code 1. */
export function fail(message: string): number {
  console.error(`goippy: ${message}`);
  return 1;
}

async function dispatch(cli: CliArgs): Promise<number> {
  switch (cli.command) {
    case "help":
      console.log(USAGE);
      return 0;
    case "version":
      console.log(
        `goippy ${VERSION}\ndeno ${Deno.version.deno}\nstores: ${
          DIALECTS.join(", ")
        }`,
      );
      return 0;
    case "daemon":
      return await daemon(cli);
    default:
      return fail(`--${cli.command} is not available yet`);
  }
}

/** Load the config named on the command line (or the default). */
export function loadFor(cli: CliArgs): Promise<LoadedConfig> {
  return loadConfig({ path: cli.config });
}

async function daemon(cli: CliArgs): Promise<number> {
  const { config, notes } = await loadFor(cli);
  const log = daemonLogger(config.LOG_LEVEL, config.LOG_TO_STDOUT);
  for (const note of notes) log.warn(note);
  return await runDaemon(config, log, {
    configPath: config.sourcePath || undefined,
  });
}

function daemonLogger(
  level: LoadedConfig["config"]["LOG_LEVEL"],
  toStdout: boolean,
): Logger {
  return createLogger({
    level,
    journald: !!Deno.env.get("JOURNAL_STREAM"),
    write: toStdout
      ? (line) => console.log(line)
      : (line) => console.error(line),
  });
}
