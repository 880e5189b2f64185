import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Backoff, nextDelay, withJitter } from "./backoff.ts";

Deno.test("backoff: doubles from 1 s and stops at 60 s", () => {
  const seen: number[] = [];
  let d = 1000;
  for (let i = 0; i < 9; i++) {
    seen.push(d);
    d = nextDelay(d, 60_000);
  }
  assertEquals(seen, [
    1000,
    2000,
    4000,
    8000,
    16000,
    32000,
    60000,
    60000,
    60000,
  ]);
});

Deno.test("backoff: jitter stays within ±20 %", () => {
  assertEquals(withJitter(10_000, 0), 8000);
  assertEquals(withJitter(10_000, 0.5), 10_000);
  assertEquals(withJitter(10_000, 0.999999), 12_000);
});

Deno.test("backoff: waits grow per failure and start over after a reset", () => {
  const b = new Backoff(1000, 4000);
  const waits = [b.next(0.5), b.next(0.5), b.next(0.5), b.next(0.5)];
  b.reset();
  waits.push(b.next(0.5));
  assertEquals(waits, [1000, 2000, 4000, 4000, 1000]);
});
