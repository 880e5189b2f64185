import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { SendUsage } from "../store/types.ts";
import {
  exceeded,
  type LimitConfig,
  limitText,
  lineLimits,
  nextSendAtMs,
  retryAfterS,
  usageQuery,
  usedOf,
} from "./rules.ts";

const CONFIG: LimitConfig = {
  SEND_INTERVAL: 5,
  SEND_JITTER: 2,
  SEND_LIMIT_HOUR: 3,
  SEND_LIMIT_DAY: 10,
  SEND_LIMIT_RECIPIENTS_MONTH: 2,
};
const NOW = Date.UTC(2026, 10, 30, 12, 30); // 2026-11-30 12:30 UTC

function usage(u: Partial<SendUsage>): SendUsage {
  return {
    hour: 0,
    day: 0,
    recipients: 0,
    knownRecipient: false,
    oldestInHourMs: null,
    lastHandedMs: null,
    ...u,
  };
}

Deno.test("a gateway's overrides win over the config; null keeps the default", () => {
  assertEquals(lineLimits({}, CONFIG), {
    hour: 3,
    day: 10,
    recipients: 2,
    intervalS: 5,
    jitterS: 2,
  });
  assertEquals(
    lineLimits({
      limits: {
        hour: 0,
        day: 200,
        recipients: null,
        interval: null,
        jitter: 0,
      },
    }, CONFIG),
    { hour: 0, day: 200, recipients: 2, intervalS: 5, jitterS: 0 },
  );
});

Deno.test("the windows: last 60 minutes, UTC day, UTC month", () => {
  assertEquals(usageQuery(NOW, "372", true), {
    hourFromMs: NOW - 3_600_000,
    dayFromMs: Date.UTC(2026, 10, 30),
    monthFromMs: Date.UTC(2026, 10, 1),
    number: "372",
    withQueued: true,
  });
});

const limits = lineLimits({}, CONFIG);
const cases: [string, Partial<SendUsage>, string | undefined][] = [
  ["below every limit", { hour: 2, day: 9, recipients: 1 }, undefined],
  [
    "the hour is full: frees an hour after the oldest",
    { hour: 3, oldestInHourMs: NOW - 600_000 },
    `hour 3/3 ${new Date(NOW + 3_000_000).toISOString()}`,
  ],
  [
    "the day is full: resets at midnight UTC",
    { day: 10 },
    `day 10/10 ${new Date(Date.UTC(2026, 11, 1)).toISOString()}`,
  ],
  [
    "a new recipient over the month: resets on the 1st",
    { recipients: 2 },
    `recipients 2/2 ${new Date(Date.UTC(2026, 11, 1)).toISOString()}`,
  ],
  [
    "a known recipient always fits the month",
    { recipients: 2, knownRecipient: true },
    undefined,
  ],
];
for (const [name, u, want] of cases) {
  Deno.test(`exceeded: ${name}`, () => {
    const e = exceeded(limits, usage(u), NOW);
    assertEquals(
      e &&
        `${e.limit} ${e.used}/${e.max} ${new Date(e.resetAtMs).toISOString()}`,
      want,
    );
  });
}

Deno.test("no limit set: nothing is ever exceeded", () => {
  const none = lineLimits({}, {
    ...CONFIG,
    SEND_LIMIT_HOUR: 0,
    SEND_LIMIT_DAY: 0,
    SEND_LIMIT_RECIPIENTS_MONTH: 0,
  });
  assertEquals(
    exceeded(none, usage({ hour: 1e6, day: 1e6, recipients: 1e6 }), NOW),
    undefined,
  );
});

Deno.test("the refusal names the limit, the use and the reset; Retry-After in seconds", () => {
  const e = {
    limit: "hour" as const,
    max: 3,
    used: 3,
    resetAtMs: NOW + 90_500,
  };
  assertEquals(
    limitText("2001", e),
    "Not sent: line 2001 reached its limit of 3 SMS per hour (3 used); " +
      "the limit resets at 2026-11-30 12:31 UTC.",
  );
  assertEquals(retryAfterS(e, NOW), 91);
  assertEquals(retryAfterS(e, NOW + 100_000), 1);
});

Deno.test("pacing: interval after the last hand-over plus a share of the jitter", () => {
  assertEquals(nextSendAtMs(limits, null, () => 0.5), 0);
  assertEquals(nextSendAtMs(limits, NOW, () => 0), NOW + 5000);
  assertEquals(nextSendAtMs(limits, NOW, () => 0.5), NOW + 6000);
});

Deno.test("used of limit: a dash when there is none", () => {
  assertEquals(usedOf(4, 30), "4/30");
  assertEquals(usedOf(4, 0), "4/-");
});
