import assert from "node:assert/strict";
import { deadlockBackoffMs } from "./mysql_driver.ts";

Deno.test("deadlockBackoffMs: random within a window that doubles, capped", () => {
  const cases: [attempt: number, random: number, ms: number][] = [
    [1, 0, 0],
    [1, 0.5, 10],
    [1, 0.999, 19.98],
    [2, 0.5, 20],
    [3, 1, 80],
    [4, 1, 160],
    [5, 1, 200],
    [50, 1, 200],
    [50, 0.25, 50],
  ];
  for (const [attempt, random, ms] of cases) {
    assert.ok(
      Math.abs(deadlockBackoffMs(attempt, () => random) - ms) < 1e-9,
      `attempt ${attempt}, random ${random}`,
    );
  }
});
