import {
  deepStrictEqual as assertEquals,
  throws as assertThrows,
} from "node:assert/strict";
import { type CliArgs, parseCliArgs, UsageError } from "./args.ts";

const base = {
  force: false,
  config: undefined,
  timeoutS: undefined,
  lines: [],
};

Deno.test("command lines goippy understands", () => {
  const table: [string[], Partial<CliArgs>][] = [
    [[], { command: "daemon", args: [] }],
    [["--config", "/etc/x.conf"], {
      command: "daemon",
      args: [],
      config: "/etc/x.conf",
    }],
    [["-c", "x.conf", "--check"], {
      command: "check",
      args: [],
      config: "x.conf",
    }],
    [["--config=x.conf", "--listExt"], {
      command: "listExt",
      args: [],
      config: "x.conf",
    }],
    [["--list-ext"], { command: "listExt", args: [] }],
    [["-h"], { command: "help", args: [] }],
    [["--version"], { command: "version", args: [] }],
    [["--sample"], { command: "sample", args: [] }],
    [["--sample", "/tmp/a.conf", "--force"], {
      command: "sample",
      args: ["/tmp/a.conf"],
      force: true,
    }],
    [["--add", "2001", "secret"], { command: "add", args: ["2001", "secret"] }],
    [["--token-add", "shop", "--line", "2001", "--line", "2002"], {
      command: "token-add",
      args: ["shop"],
      lines: ["2001", "2002"],
    }],
    [["--token-add", "ops"], { command: "token-add", args: ["ops"] }],
    [["--token-remove", "ops"], { command: "token-remove", args: ["ops"] }],
    [["--add", "2508", "abc123", "^\\+37255"], {
      command: "add",
      args: ["2508", "abc123", "^\\+37255"],
    }],
    [["--add", "2508", "abc123", "-", ".*"], {
      command: "add",
      args: ["2508", "abc123", "-", ".*"],
    }],
    [["--remove", "2001"], { command: "remove", args: ["2001"] }],
    [["--enable", "2001"], { command: "enable", args: ["2001"] }],
    [["--disable", "2001"], { command: "disable", args: ["2001"] }],
    [["--send", "2001", "+3725551234", "hello", "world"], {
      command: "send",
      args: ["2001", "+3725551234", "hello", "world"],
    }],
    [["--send", "2001", "+3725551234", "--", "-5 degrees"], {
      command: "send",
      args: ["2001", "+3725551234", "-5 degrees"],
    }],
    [["--ussd", "2001", "*100#", "--timeout", "5"], {
      command: "ussd",
      args: ["2001", "*100#"],
      timeoutS: 5,
    }],
    [["--timeout=0.5", "--send", "a", "b", "c"], {
      command: "send",
      args: ["a", "b", "c"],
      timeoutS: 0.5,
    }],
    [["--status"], { command: "status", args: [] }],
    [["--prosody-module"], { command: "prosody-module", args: [] }],
    [["--install"], { command: "install", args: [] }],
    [["--install", "office"], { command: "install", args: ["office"] }],
    [["--uninstall", "office"], { command: "uninstall", args: ["office"] }],
    [["--list"], { command: "list", args: [] }],
  ];
  for (const [argv, want] of table) {
    assertEquals(parseCliArgs(argv), { ...base, ...want }, argv.join(" "));
  }
});

Deno.test("command lines goippy refuses, with one clear line", () => {
  const table: [string[], string][] = [
    [["--bogus"], "unknown option --bogus; see goippy --help"],
    [["-x"], "unknown option -x; see goippy --help"],
    [["stray"], 'unexpected argument "stray"; see goippy --help'],
    [["--add"], "--add needs <ext> <pass> [allow_regex]"],
    [["--add", "2001"], "--add needs <ext> <pass> [allow_regex]"],
    [
      ["--add", "1", "2", "3", "4", "5"],
      '--add takes <ext> <pass> [allow_regex], got 5: "1" "2" "3" "4" "5"',
    ],
    [["--remove"], "--remove needs <ext>"],
    [["--remove", "a", "b"], '--remove takes <ext>, got 2: "a" "b"'],
    [["--listExt", "x"], '--listExt takes no arguments, got 1: "x"'],
    [["--send", "2001", "+372"], "--send needs <ext> <number> <text…>"],
    [["--ussd", "2001"], "--ussd needs <ext> <code>"],
    [
      ["--add", "1", "2", "--remove", "1"],
      "choose one command, not --add and --remove",
    ],
    [["--config"], "--config needs a value"],
    [["--config="], "--config needs a file name"],
    [["--help=yes"], "--help takes no value"],
    [["--force"], "--force only goes with --sample"],
    [["--add", "1", "2", "--force"], "--force only goes with --sample"],
    [["--timeout", "3"], "--timeout only goes with --send or --ussd"],
    [
      ["--send", "1", "2", "x", "--line", "2001"],
      "--line only goes with --token-add",
    ],
    [["--token-add"], "--token-add needs <name>"],
    [
      ["--ussd", "1", "*1#", "--timeout", "soon"],
      '--timeout needs a number of seconds above 0, not "soon"',
    ],
    [
      ["--ussd", "1", "*1#", "--timeout", "0"],
      '--timeout needs a number of seconds above 0, not "0"',
    ],
  ];
  for (const [argv, message] of table) {
    assertThrows(() => parseCliArgs(argv), (e: Error) => {
      assertEquals([e instanceof UsageError, e.message], [true, message]);
      return true;
    }, argv.join(" "));
  }
});
