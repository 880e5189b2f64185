import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { lineStateFixture } from "../../tests/support/line_state.ts";
import { startsWait, waitNoticeText } from "./sms_wait_notice.ts";

const SEEN = Date.UTC(2026, 10, 30, 11, 2, 13);

Deno.test("startsWait: only the first SMS that waits for an offline line", () => {
  const line = lineStateFixture({ lastSeenMs: SEEN });
  const cases: [string, number, boolean, boolean][] = [
    // name, ms since the last keepalive, others waiting, notice
    ["online, queue empty", 5_000, false, false],
    ["online, queue busy", 5_000, true, false],
    ["offline, first of a burst", 120_000, false, true],
    ["offline, later in the burst", 120_000, true, false],
  ];
  for (const [name, after, othersWaiting, want] of cases) {
    const got = startsWait({
      line,
      nowMs: SEEN + after,
      offlineAfterS: 90,
      othersWaiting,
    });
    assertEquals([name, got], [name, want]);
  }
  assertEquals(
    startsWait({
      line: undefined,
      nowMs: SEEN,
      offlineAfterS: 90,
      othersWaiting: false,
    }),
    true,
  );
});

Deno.test("waitNoticeText: last seen, and until when the SMS waits", () => {
  const cases: [Parameters<typeof waitNoticeText>[0], number, string][] = [
    [
      lineStateFixture({ lastSeenMs: SEEN }),
      86_400,
      "Your line is offline (last seen 2026-11-30 11:02:13 UTC); your SMS waits and goes out when the line is back, until 2026-12-01 11:07:13 UTC (24 h, QUEUE_TTL); after that it expires and you get an error. More SMS sent meanwhile wait too, without a new notice.",
    ],
    [
      undefined,
      600,
      "Your line is offline (not heard from yet); your SMS waits and goes out when the line is back, until 2026-11-30 11:17:13 UTC (10 min, QUEUE_TTL); after that it expires and you get an error. More SMS sent meanwhile wait too, without a new notice.",
    ],
  ];
  for (const [line, ttl, want] of cases) {
    assertEquals(waitNoticeText(line, SEEN + 300_000, ttl), want);
  }
});
