import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultConfig } from "../config/defaults.ts";
import type { Config } from "../config/types.ts";
import { createLogger } from "../log.ts";
import { SourceGuard } from "./source_guard.ts";

function guard(config: Partial<Config>) {
  let live: Config = { ...defaultConfig(), ...config };
  let now = 0;
  const logs: string[] = [];
  const g = new SourceGuard(
    () => live,
    createLogger({
      level: "warn",
      journald: false,
      write: (l) => logs.push(l),
    }),
    () => now,
  );
  return {
    g,
    logs,
    set: (c: Partial<Config>) => live = { ...live, ...c },
    at: (ms: number) => now = ms,
  };
}

Deno.test("SourceGuard: GOIP_ALLOW_SOURCES, followed when the config changes", () => {
  const t = guard({ GOIP_ALLOW_SOURCES: ["10.0.0.0/8"] });
  assertEquals([t.g.admits("10.1.2.3"), t.g.admits("192.0.2.1")], [
    true,
    false,
  ]);
  t.set({ GOIP_ALLOW_SOURCES: [] });
  assertEquals(t.g.admits("192.0.2.1"), true);
});

Deno.test("SourceGuard: too many failures block the address for a minute", () => {
  const t = guard({ GOIP_AUTH_FAIL_LIMIT: 2 });
  t.g.failed("192.0.2.1:5000");
  assertEquals(t.g.admits("192.0.2.1"), true);
  t.g.failed("192.0.2.1:5001"); // another port, same address
  assertEquals(t.g.admits("192.0.2.1"), false);
  assertEquals(t.g.admits("192.0.2.2"), true);
  assertEquals(t.logs.filter((l) => l.includes("too many")).length, 1);
  t.at(60_001);
  assertEquals(t.g.admits("192.0.2.1"), true);
});

Deno.test("SourceGuard: a block stays over a reload unless the limit changed", () => {
  const t = guard({ GOIP_AUTH_FAIL_LIMIT: 1 });
  t.g.failed("192.0.2.1:5000");
  t.set({ GOIP_ALLOW_SOURCES: [] }); // a reload that leaves the limit alone
  assertEquals(t.g.admits("192.0.2.1"), false);
  t.set({ GOIP_AUTH_FAIL_LIMIT: 0 }); // off: nobody is blocked
  assertEquals(t.g.admits("192.0.2.1"), true);
  t.g.failed("192.0.2.1:5000");
  assertEquals(t.g.admits("192.0.2.1"), true);
});
