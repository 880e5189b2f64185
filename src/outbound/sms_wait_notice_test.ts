import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { lineStateFixture } from "../../tests/support/line_state.ts";
import { startsWait, waitNoticeText } from "./sms_wait_notice.ts";

const SEEN = Date.UTC(2026, 10, 30, 11, 2, 13);

Deno.test("startsWait: only the first SMS that waits for an offline line", async () => {
  const line = lineStateFixture({ lastSeenMs: SEEN });
  const cases: [string, typeof line | undefined, number, boolean, boolean][] = [
    // name, line, ms since the last keepalive, others waiting, notice
    ["online, queue empty", line, 5_000, false, false],
    ["online, queue busy", line, 5_000, true, false],
    ["offline, first of a burst", line, 120_000, false, true],
    ["offline, later in the burst", line, 120_000, true, false],
    ["never heard, queue empty", undefined, 0, false, true],
  ];
  for (const [name, l, after, others, want] of cases) {
    let asked = false;
    const got = await startsWait(l, SEEN + after, 90, () => {
      asked = true;
      return Promise.resolve(others);
    });
    assertEquals([name, got, asked], [name, want, after !== 5_000]);
  }
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
