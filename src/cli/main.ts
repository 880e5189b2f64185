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
import {
  installService,
  listServices,
  uninstallService,
} from "../systemd/install.ts";
import { DIALECTS, VERSION } from "../version.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import type { Config } from "../config/types.ts";
import { type CliIo, consoleIo } from "./io.ts";
import {
  addGateway,
  listGateways,
  removeGateway,
  setEnabled,
} from "./gateways.ts";
import { setLimits } from "./limits.ts";
import { sendSms, sendUssd } from "./outbox.ts";
import { showStatus } from "./status.ts";
import { spoolStatus } from "./spool_status.ts";
import { PROSODY_MODULE } from "../xmpp/prosody_module.ts";
import { checkConfig, writeSample } from "./config_cmds.ts";
import { requireDaemon } from "./daemon_check.ts";
import { addToken, listTokens, removeToken } from "./tokens.ts";

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
  const io = consoleIo();
  const [a0] = cli.args;
  const wait = { timeoutMs: (cli.timeoutS ?? 60) * 1000 };
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
    case "check":
      return await checkConfig(cli.config, io);
    case "sample":
      return await writeSample(a0, cli.force, io);
    case "add":
      return await withStore(cli, io, (s) => addGateway(s, cli.args, io));
    case "remove":
      return await withStore(cli, io, (s) => removeGateway(s, a0, io));
    case "enable":
    case "disable":
      return await withStore(
        cli,
        io,
        (s) => setEnabled(s, a0, cli.command === "enable", io),
      );
    case "limits":
      return await withStore(cli, io, (s, c) => setLimits(s, cli.args, c, io));
    case "listExt":
      return await withStore(cli, io, (s) => listGateways(s, io));
    case "status": {
      // The spool first: it is there to read when the store is not.
      const spool = spoolStatus((await loadFor(cli)).config, Date.now());
      if (spool) io.out(spool);
      return await withStore(cli, io, (s, c) => showStatus(s, c, io));
    }
    case "send":
      return await withStore(cli, io, (s, c) =>
        sendSms(s, cli.args, io, {
          ...wait,
          beforeWrite: () => requireDaemon(s, c),
        }, c));
    case "ussd":
      return await withStore(cli, io, (s, c) =>
        sendUssd(s, cli.args, io, {
          ...wait,
          beforeWrite: () => requireDaemon(s, c),
        }, c));
    case "token-add":
      return await withStore(cli, io, (s) => addToken(s, a0, cli.lines, io));
    case "token-list":
      return await withStore(cli, io, (s) => listTokens(s, io));
    case "token-remove":
      return await withStore(cli, io, (s) => removeToken(s, a0, io));
    case "install":
      return await installService(a0);
    case "uninstall":
      return await uninstallService(a0);
    case "list":
      return await listServices();
    case "prosody-module":
      io.out(PROSODY_MODULE.trimEnd()); // out() adds the final newline
      return 0;
  }
}

/** Open the configured store (migrated), run `fn`, close the store. */
async function withStore(
  cli: CliArgs,
  io: CliIo,
  fn: (store: Store, config: Config) => Promise<number>,
): Promise<number> {
  // Notes (no config file, derived settings) are for the daemon and
  // --check; here an error must stay one line.
  const { config, warnings } = await loadFor(cli);
  for (const w of warnings) io.err(`goippy: warning: ${w}`);
  const log = createLogger({
    level: "warn",
    journald: false,
    write: (line) => io.err(line),
  });
  const store = await openStore(config, log);
  // Outcomes the CLI writes (a --send withdrawn at its timeout) are webhook
  // events like the daemon's; the daemon delivers them.
  if (config.WEBHOOKS.length > 0) store.recordWebhookEvents(true);
  try {
    await store.migrate();
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

/** Load the config named on the command line (or the default). */
export function loadFor(cli: CliArgs): Promise<LoadedConfig> {
  return loadConfig({ path: cli.config });
}

async function daemon(cli: CliArgs): Promise<number> {
  const { config, notes, warnings } = await loadFor(cli);
  const log = daemonLogger(config.LOG_LEVEL, config.LOG_TO_STDOUT);
  for (const note of [...warnings, ...notes]) log.warn(note);
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
