import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  throws as assertThrows,
} from "node:assert/strict";
import type { NewGateway } from "../store/types.ts";
import {
  checkExt,
  checkNumber,
  checkPassword,
  checkRegex,
  checkUssd,
  parseAddArgs,
} from "./validate.ts";

Deno.test("--add arguments, new and original forms", () => {
  const table: [string[], NewGateway][] = [
    [["2001", "secret123"], {
      ext: "2001",
      goipPass: "secret123",
      allowRegex: ".*",
      channel: null,
    }],
    [["2508", "abc123", "^\\+37255"], {
      ext: "2508",
      goipPass: "abc123",
      allowRegex: "^\\+37255",
      channel: null,
    }],
    [["2508", "abc123", "-"], {
      ext: "2508",
      goipPass: "abc123",
      allowRegex: ".*",
      channel: null,
    }],
    [["2508", "abc123", "3"], {
      ext: "2508",
      goipPass: "abc123",
      allowRegex: ".*",
      channel: 3,
    }],
    [["2508", "abc123", "-", "^\\+372"], {
      ext: "2508",
      goipPass: "abc123",
      allowRegex: "^\\+372",
      channel: null,
    }],
    [["a.b_c-D", "p@ss!", "2", "^(\\+49|0049)"], {
      ext: "a.b_c-D",
      goipPass: "p@ss!",
      allowRegex: "^(\\+49|0049)",
      channel: 2,
    }],
  ];
  for (const [args, want] of table) {
    assertEquals(parseAddArgs(args), want, args.join(" "));
  }
});

Deno.test("refusals name the problem", () => {
  const table: [() => unknown, RegExp][] = [
    [() => parseAddArgs(["", "p"]), /extension "" is not allowed/],
    [() => parseAddArgs(["20 01", "p"]), /extension "20 01" is not allowed/],
    [() => parseAddArgs(["x".repeat(33), "p"]), /is not allowed/],
    [() => parseAddArgs(["2001@x", "p"]), /is not allowed/],
    [() => parseAddArgs(["ext/..", "p"]), /is not allowed/],
    [() => parseAddArgs(["2001", ""]), /password must not be empty/],
    [() => parseAddArgs(["2001", "a b"]), /must not contain spaces/],
    [() => parseAddArgs(["2001", "a\tb"]), /must not contain spaces/],
    [() => parseAddArgs(["2001", "a;b"]), /";"/],
    [() => parseAddArgs(["2001", "p".repeat(65)]), /at most 64/],
    [() => parseAddArgs(["2001", "p", "("]), /'\(' does not compile/],
    [
      () => parseAddArgs(["2001", "p", "^\\+372("]),
      /^allow_regex '\^\\\+372\(' does not compile: Unterminated group$/,
    ],
    [() => parseAddArgs(["2001", "p", "-", "[a-"]), /does not compile/],
    [
      () => parseAddArgs(["2001", "p", "x", ".*"]),
      /channel must be "-" or a number/,
    ],
    [() => checkRegex(""), /must not be empty/],
    [() => checkNumber("12"), /not a phone number/],
    [() => checkNumber("+372 555"), /not a phone number/],
    [() => checkNumber("abc"), /not a phone number/],
    [() => checkUssd("*100#;rm"), /not a USSD code/],
    [() => checkUssd(""), /not a USSD code/],
  ];
  for (const [fn, message] of table) {
    assertThrows(fn, (e: Error) => {
      assertMatch(e.message, message);
      return true;
    }, String(message));
  }
  assertEquals(checkExt("2001"), "2001");
  assertEquals(checkPassword("s3cr3t"), "s3cr3t");
  assertEquals(checkNumber("+3725551234"), "+3725551234");
  assertEquals(checkUssd("*100#"), "*100#");
});
