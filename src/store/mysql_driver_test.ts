import assert from "node:assert/strict";
import { deadlockBackoffMs } from "./mysql_driver.ts";
import { jsonTableSupported } from "./mysql_schema.ts";

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

Deno.test("jsonTableSupported: which MySQL/MariaDB servers have JSON_TABLE", () => {
  const cases: [string, boolean][] = [
    ["10.11.6-MariaDB-0+deb12u1", true],
    ["5.5.5-10.11.6-MariaDB-0+deb12u1", true],
    ["10.6.0-MariaDB", true],
    ["10.5.23-MariaDB-0+deb11u1", false],
    ["10.3.39-MariaDB-0+deb10u2", false],
    ["11.4.2-MariaDB", true],
    ["8.0.36", true],
    ["8.0.4-rc-log", true],
    ["8.0.3-rc", false],
    ["5.7.44-log", false],
    ["9.1.0", true],
    ["", false],
    ["MariaDB", false],
  ];
  for (const [version, want] of cases) {
    assert.equal(jsonTableSupported(version), want, version);
  }
});
