import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { RateLimiter } from "./rate_limit.ts";

Deno.test("a token may make its rate per minute, then waits; others are apart", () => {
  let now = 1_000_000;
  const limiter = new RateLimiter(() => 3, () => now);
  assertEquals([1, 2, 3].map(() => limiter.take("a")), [0, 0, 0]);
  assertEquals(limiter.take("a"), 20, "one request every 20 s at 3/min");
  assertEquals(limiter.take("b"), 0, "another token has its own bucket");
  now += 20_000;
  assertEquals(limiter.take("a"), 0);
  assertEquals(limiter.take("a") > 0, true);
});
