import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { formatAge, formatSeen, formatTable } from "./table.ts";

Deno.test("tables pad columns and show empty cells as -", () => {
  assertEquals(
    formatTable(["ext", "msisdn", "last"], [["2001", "", "x"], [
      "20011",
      "+372",
      "",
    ]]),
    "ext    msisdn  last\n2001   -       x\n20011  +372    -",
  );
  assertEquals(formatTable(["a"], []), "a");
});

Deno.test("times", () => {
  const now = Date.UTC(2026, 10, 29, 12, 0, 0);
  assertEquals(formatSeen(0, now), "never");
  assertEquals(formatSeen(now - 42_000, now), "2026-11-29 11:59:18Z (42s ago)");
  const table: [number, string][] = [
    [0, "0s"],
    [119_000, "119s"],
    [600_000, "10m"],
    [3 * 3600_000, "3h"],
    [3 * 86400_000, "3d"],
    [-5000, "0s"],
  ];
  for (const [ms, want] of table) assertEquals(formatAge(ms), want, `${ms}`);
});
