import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { lineStateFixture } from "../../tests/support/line_state.ts";
import { utcTime } from "../notices/mod.ts";
import { ussdOfflineText, ussdStaleText } from "./ussd_live.ts";

const SEEN = Date.UTC(2026, 10, 30, 11, 2, 13);

Deno.test("utcTime: seconds, UTC", () => {
  assertEquals(utcTime(SEEN + 999), "2026-11-30 11:02:13 UTC");
});

Deno.test("ussdOfflineText: null online; says since when and that nothing was dialled", () => {
  const line = lineStateFixture({ lastSeenMs: SEEN });
  const cases: [
    string,
    Parameters<typeof ussdOfflineText>[0],
    number,
    string | null,
  ][] = [
    ["online", line, 10_000, null],
    [
      "offline",
      line,
      91_000,
      "USSD not sent: line offline since 2026-11-30 11:02:13 UTC (its last keepalive); nothing was dialled. USSD codes are never queued: send it again once the line is online.",
    ],
    [
      "never heard",
      undefined,
      0,
      "USSD not sent: line offline: the GoIP has not been heard from yet; nothing was dialled. USSD codes are never queued: send it again once the line is online.",
    ],
  ];
  for (const [name, l, after, want] of cases) {
    assertEquals([name, ussdOfflineText(l, SEEN + after, 90)], [name, want]);
  }
});

Deno.test("ussdStaleText: null within the TTL, the refusal after it", () => {
  const stale =
    "USSD not sent within 30 s; nothing was dialled. USSD codes are never run late: send it again if it is still wanted.";
  const cases: [number, string | null][] = [
    [0, null],
    [30_000, null],
    [30_001, stale],
    [86_400_000, stale],
  ];
  for (const [age, want] of cases) {
    assertEquals([age, ussdStaleText(SEEN, SEEN + age, 30)], [age, want]);
  }
});
