import {
  deepStrictEqual as assertEquals,
  throws as assertThrows,
} from "node:assert/strict";
import { overridesText, parseLimitArgs } from "./limits.ts";

const ok: [string[], object][] = [
  [[], {}],
  [["hour=30", "day=200", "interval=5"], { hour: 30, day: 200, interval: 5 }],
  [["recipients=0", "jitter=2"], { recipients: 0, jitter: 2 }],
  [["hour=-", "day=default"], { hour: null, day: null }],
  [["default"], {
    hour: null,
    day: null,
    recipients: null,
    interval: null,
    jitter: null,
  }],
  [["default", "hour=10"], {
    hour: 10,
    day: null,
    recipients: null,
    interval: null,
    jitter: null,
  }],
];
for (const [words, want] of ok) {
  Deno.test(`--limits ${words.join(" ") || "(nothing)"}`, () => {
    assertEquals(parseLimitArgs(words), want);
  });
}

const bad: [string, RegExp][] = [
  ["hour", /"hour" is not a setting; use hour=N day=N/],
  ["minute=5", /"minute=5" is not a setting/],
  ["hour=-1", /hour must be a whole number 0…1000000000 or - .*"-1"/],
  ["day=1.5", /day must be a whole number/],
  ["interval=", /interval must be a whole number/],
  ["jitter=9999999999", /jitter must be a whole number/],
];
for (const [word, msg] of bad) {
  Deno.test(`--limits ${word} is refused with one line`, () => {
    assertThrows(() => parseLimitArgs([word]), (err: Error) => {
      assertEquals(err.name, "UsageError");
      assertEquals(err.message.includes("\n"), false);
      return msg.test(err.message);
    });
  });
}

Deno.test("--listExt shows only a gateway's own settings", () => {
  assertEquals(overridesText({}), "");
  assertEquals(
    overridesText({
      limits: {
        hour: 30,
        day: null,
        recipients: 0,
        interval: 5,
        jitter: null,
      },
    }),
    "hour=30 recipients=0 interval=5",
  );
});
