/**
 * Command-line parsing (`node:util` parseArgs): which command, its
 * arguments, its options. Pure; refusals are {@linkcode UsageError}s.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** Every command; `daemon` is what runs when no command flag is given. */
export type Command =
  | "daemon"
  | "help"
  | "version"
  | "check"
  | "sample"
  | "add"
  | "remove"
  | "listExt"
  | "enable"
  | "disable"
  | "limits"
  | "send"
  | "ussd"
  | "status"
  | "prosody-module"
  | "install"
  | "uninstall"
  | "list"
  | "token-add"
  | "token-list"
  | "token-remove";

/** What the command line asked for. */
export interface CliArgs {
  command: Command;
  /** The command's arguments, in order. */
  args: string[];
  /** `--config FILE`, if given. */
  config?: string;
  force: boolean;
  /** `--timeout S` in seconds (send/ussd), if given. */
  timeoutS?: number;
  /** `--line EXT` (repeatable; token-add): the lines a token may use. */
  lines: string[];
}

/** A command line goippy refuses; the message is one line for stderr. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Command → [min, max] number of arguments, and their names for messages. */
const ARITY: Record<Command, [number, number, string]> = {
  daemon: [0, 0, ""],
  help: [0, 0, ""],
  version: [0, 0, ""],
  check: [0, 0, ""],
  sample: [0, 1, "[FILE]"],
  add: [2, 4, "<ext> <pass> [allow_regex]"],
  remove: [1, 1, "<ext>"],
  listExt: [0, 0, ""],
  enable: [1, 1, "<ext>"],
  disable: [1, 1, "<ext>"],
  limits: [
    1,
    Infinity,
    "<ext> [hour=N] [day=N] [recipients=N] [interval=S] [jitter=S]",
  ],
  send: [3, Infinity, "<ext> <number> <text…>"],
  ussd: [2, 2, "<ext> <code>"],
  status: [0, 0, ""],
  "prosody-module": [0, 0, ""],
  install: [0, 1, "[postfix]"],
  uninstall: [0, 1, "[postfix]"],
  list: [0, 0, ""],
  "token-add": [1, 1, "<name>"],
  "token-list": [0, 0, ""],
  "token-remove": [1, 1, "<name>"],
};

const COMMANDS = Object.keys(ARITY).filter((c) => c !== "daemon") as Command[];

/** Parse `Deno.args`-style arguments. Throws {@linkcode UsageError}. */
export function parseCliArgs(argv: string[]): CliArgs {
  const options: Record<
    string,
    { type: "boolean" | "string"; short?: string }
  > = {
    config: { type: "string", short: "c" },
    force: { type: "boolean" },
    timeout: { type: "string" },
    "list-ext": { type: "boolean" },
  };
  const lineOption = { type: "string", multiple: true } as const;
  for (const c of COMMANDS) options[c] = { type: "boolean" };
  options.help.short = "h";
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, line: lineOption },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(parseArgsMessage(err as Error));
  }
  const lines = (parsed.values.line ?? []) as string[];
  const values = parsed.values as Record<
    string,
    string | boolean | string[] | undefined
  >;
  if (values["list-ext"]) values.listExt = true;
  const chosen = COMMANDS.filter((c) => values[c] === true);
  if (chosen.length > 1) {
    throw new UsageError(
      `choose one command, not ${chosen.map((c) => `--${c}`).join(" and ")}`,
    );
  }
  const command: Command = chosen[0] ?? "daemon";
  const args = parsed.positionals;
  const [min, max, names] = ARITY[command];
  const flag = command === "daemon" ? "goippy" : `--${command}`;
  if (args.length < min) {
    throw new UsageError(`${flag} needs ${names}`);
  }
  if (args.length > max) {
    throw new UsageError(
      command === "daemon"
        ? `unexpected argument "${args[0]}"; see goippy --help`
        : `${flag} takes ${names || "no arguments"}, got ${args.length}: ${
          args.map((a) => JSON.stringify(a)).join(" ")
        }`,
    );
  }
  const force = values.force === true;
  if (force && command !== "sample") {
    throw new UsageError("--force only goes with --sample");
  }
  let timeoutS: number | undefined;
  if (values.timeout !== undefined) {
    if (command !== "send" && command !== "ussd") {
      throw new UsageError("--timeout only goes with --send or --ussd");
    }
    timeoutS = Number(values.timeout);
    if (!/^\d+(\.\d+)?$/.test(String(values.timeout)) || timeoutS <= 0) {
      throw new UsageError(
        `--timeout needs a number of seconds above 0, not "${values.timeout}"`,
      );
    }
  }
  if (lines.length > 0 && command !== "token-add") {
    throw new UsageError("--line only goes with --token-add");
  }
  const config = values.config as string | undefined;
  if (config === "") throw new UsageError("--config needs a file name");
  return { command, args, config, force, timeoutS, lines };
}

function parseArgsMessage(err: Error): string {
  const code = (err as { code?: string }).code;
  const opt = /'(-[^' ]*)/.exec(err.message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return `unknown option ${opt || err.message}; see goippy --help`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = /--([a-zA-Z-]+)/.exec(err.message)?.[1] ?? opt;
    return name === "config" || name === "timeout" || name === "line"
      ? `--${name} needs a value`
      : `--${name} takes no value`;
  }
  return err.message.split("\n")[0];
}
