import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { authAlert, clock, lineBackAlert, span, stuckAlert } from "./alerts.ts";
import { gsmCauseWords } from "./gsm_causes.ts";

Deno.test("alert texts: spans and clock", () => {
  const spans: [number, string][] = [
    [40_000, "40 s"],
    [5 * 60_000, "5 min"],
    [125 * 60_000, "2 h 5 min"],
    [-5, "0 s"],
  ];
  for (const [ms, want] of spans) assertEquals(span(ms), want);
  assertEquals(
    clock(Date.UTC(2026, 10, 30, 12, 5, 59)),
    "2026-11-30 12:05 UTC",
  );
});

Deno.test("alert texts: what, where and why", () => {
  assertEquals(
    lineBackAlert("goippy_2001", "2001", 6 * 60_000),
    "✓ goippy: line 2001 (goippy_2001) is back online after 6 min offline.",
  );
  assertEquals(
    authAlert("10.0.0.9", "keepalive for goippy_2001: wrong password", 60),
    "⚠ goippy: 10.0.0.9 keeps failing authentication (last: keepalive for goippy_2001: wrong password); it is ignored for 60 s. A GoIP with a wrong password, or someone guessing.",
  );
  assertEquals(
    stuckAlert("goippy_2001", "2001", {
      id: 7,
      kind: "ussd",
      number: "",
      error: "",
    }, 20 * 60_000),
    "⚠ goippy: line 2001 (goippy_2001) is online but its queue is stuck: the oldest item (#7, USSD request) has waited 20 min.",
  );
});

Deno.test("GSM causes: known codes in words, unknown ones undefined", () => {
  const table: [number, string | undefined][] = [
    [38, "network out of order"],
    [1, "unassigned (unallocated) number"],
    [42, "congestion"],
    [2, undefined],
    [-1, undefined],
  ];
  for (const [code, want] of table) assertEquals(gsmCauseWords(code), want);
});
