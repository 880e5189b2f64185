import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  allowRegexMatches,
  MAX_USSD_LENGTH,
  NUMBER_RE,
  USSD_CODE_RE,
} from "./destination.ts";

Deno.test("destination: allow_regex is anchored at the start only (Python re.match)", () => {
  const cases: [string, string, boolean | "invalid"][] = [
    ["\\+372", "+3725551234", true],
    ["372", "+3725551234", false],
    ["\\+372$", "+3725551234", false],
    ["\\+37255", "+4937255512", false],
    [".*", "123", true],
    ["", "123", true],
    ["a|\\+3", "+3725551234", true],
    ["[", "1", "invalid"],
  ];
  for (const [re, number, want] of cases) {
    assertEquals(
      `${re} ${number} ${allowRegexMatches(re, number)}`,
      `${re} ${number} ${want}`,
    );
  }
});

Deno.test("destination: numbers and USSD codes that fit one UDP token", () => {
  const numbers: [string, boolean][] = [
    ["+3725551234", true],
    ["112", true],
    ["12", false],
    ["+123456789012345678901", false],
    ["+372 555", false],
    ["+372\n555", false],
    ["abc", false],
  ];
  for (const [n, want] of numbers) {
    assertEquals(
      `${JSON.stringify(n)} ${NUMBER_RE.test(n)}`,
      `${JSON.stringify(n)} ${want}`,
    );
  }
  const codes: [string, boolean][] = [
    ["*100#", true],
    ["#123*1#", true],
    ["*100# 1234", false],
    ["*100#\nUSSD 1 pw *101#", false],
    ["", false],
    ["*".repeat(MAX_USSD_LENGTH), true],
    ["*".repeat(MAX_USSD_LENGTH + 1), false],
  ];
  for (const [c, want] of codes) {
    assertEquals(
      `${JSON.stringify(c)} ${USSD_CODE_RE.test(c)}`,
      `${JSON.stringify(c)} ${want}`,
    );
  }
});
