import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { FailureLimiter, sourceIp } from "./rate_limit.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

Deno.test("rate limit: the burst-th failure blocks, once", () => {
  const c = clock();
  const l = new FailureLimiter({
    burst: 3,
    windowMs: 60_000,
    blockMs: 60_000,
    now: c.now,
  });
  const verdicts = [1, 2, 3, 4, 5].map(() => l.fail("10.0.0.1"));
  assertEquals(verdicts, [
    { blocked: false, started: false },
    { blocked: false, started: false },
    { blocked: true, started: true },
    { blocked: true, started: false },
    { blocked: true, started: false },
  ]);
  assertEquals(l.blocked("10.0.0.1"), true);
  assertEquals(l.blocked("10.0.0.2"), false, "other addresses unaffected");
});

Deno.test("rate limit: the block ends after blockMs and the bucket refills", () => {
  const c = clock();
  const l = new FailureLimiter({
    burst: 2,
    windowMs: 10_000,
    blockMs: 30_000,
    now: c.now,
  });
  l.fail("a");
  assertEquals(l.fail("a").started, true);
  c.advance(29_999);
  assertEquals(l.blocked("a"), true);
  c.advance(1);
  assertEquals(l.blocked("a"), false);
  // Full bucket again: one failure does not block.
  assertEquals(l.fail("a"), { blocked: false, started: false });
  assertEquals(l.fail("a"), { blocked: true, started: true });
});

Deno.test("rate limit: slow failures (below the refill rate) never block", () => {
  const c = clock();
  const l = new FailureLimiter({
    burst: 3,
    windowMs: 30_000,
    blockMs: 60_000,
    now: c.now,
  });
  for (let i = 0; i < 100; i++) {
    assertEquals(l.fail("gw").blocked, false, `failure ${i}`);
    c.advance(10_000); // refills one token per 10 s
  }
});

Deno.test("rate limit: blockMs 0 never blocks", () => {
  const l = new FailureLimiter({ burst: 1, windowMs: 1000, blockMs: 0 });
  for (let i = 0; i < 10; i++) assertEquals(l.fail("x").blocked, false);
  assertEquals(l.blocked("x"), false);
});

Deno.test("rate limit: remembered keys are bounded", () => {
  const c = clock();
  const l = new FailureLimiter({
    burst: 1,
    windowMs: 1000,
    blockMs: 60_000,
    maxKeys: 100,
    now: c.now,
  });
  for (let i = 0; i < 1000; i++) l.fail(`10.0.${i >> 8}.${i & 255}`);
  assertEquals(l.size, 100);
  assertEquals(l.blocked("10.0.3.231"), true, "the newest key is kept");
  assertEquals(l.blocked("10.0.0.0"), false, "the oldest key was forgotten");
});

Deno.test("sourceIp: the address part of ip:port", () => {
  const table: [string, string][] = [
    ["127.0.0.1:9991", "127.0.0.1"],
    ["[::1]:44444", "::1"],
    ["[fe80::1%eth0]:1", "fe80::1%eth0"],
    ["garbage", "garbage"],
  ];
  for (const [addr, ip] of table) assertEquals(sourceIp(addr), ip, addr);
});
