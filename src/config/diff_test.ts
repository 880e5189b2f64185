import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultConfig } from "./defaults.ts";
import { changedKeys } from "./diff.ts";

Deno.test("changedKeys lists what a reload changed", () => {
  const a = defaultConfig();
  assertEquals(changedKeys(a, defaultConfig()), []);
  assertEquals(
    changedKeys(a, {
      ...a,
      sourcePath: "/etc/goippy.conf",
      LOG_LEVEL: "debug",
      GOIP_UDP_PORT: 1,
      GOIP_ALLOW_SOURCES: ["10.0.0.0/8"],
    }),
    ["GOIP_UDP_PORT", "GOIP_ALLOW_SOURCES", "LOG_LEVEL"],
  );
});
