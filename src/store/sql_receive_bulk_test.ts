import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { nextPow2, rowChunks } from "./sql_receive_bulk.ts";

Deno.test("rowChunks: as few statements as the maximum allows, full ones first", () => {
  const cases: [number, number, number[]][] = [
    [0, 64, []],
    [1, 64, [1]],
    [13, 64, [13]],
    [64, 64, [64]],
    [65, 64, [64, 1]],
    [200, 64, [64, 64, 64, 8]],
    [7, 4, [4, 3]],
  ];
  for (const [n, max, want] of cases) {
    assertEquals(rowChunks(n, max), want, `${n} by ${max}`);
  }
});

Deno.test("nextPow2: the smallest power of two not below n", () => {
  const cases: [number, number][] = [[0, 1], [1, 1], [2, 2], [3, 4], [33, 64]];
  for (const [n, want] of cases) assertEquals(nextPow2(n), want, `${n}`);
});
