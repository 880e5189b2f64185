import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import type { Instance } from "../store/types.ts";
import { instanceLines } from "./status_instances.ts";

const NOW = 1_800_000_000_000;
const inst = (id: string, over: Partial<Instance> = {}): Instance => ({
  instanceId: id,
  host: "gw",
  pid: 7,
  version: "0.1.0",
  startedMs: NOW - 60_000,
  heartbeatMs: NOW - 1000,
  stoppedMs: null,
  ...over,
});

Deno.test("--status instances: alive, dead, stopped and the lines each owns", () => {
  assertEquals(instanceLines([], {}, 15, NOW), []);
  const [summary, table] = instanceLines(
    [
      inst("a:44444"),
      inst("b:44444", { heartbeatMs: NOW - 20_000 }),
      inst("c:44444", { stoppedMs: NOW - 5000, heartbeatMs: NOW - 5000 }),
    ],
    { "a:44444": 3, "b:44444": 1 },
    15,
    NOW,
  );
  assertEquals(summary, "instances: 1 alive of 3");
  const rows = table.split("\n");
  match(rows[0], /^instance +alive +host +pid +last heartbeat +lines owned$/);
  match(rows[1], /^a:44444 +yes +gw +7 +.*\(1s ago\) +3$/);
  match(rows[2], /^b:44444 +dead +gw +7 +.*\(20s ago\) +1$/);
  match(rows[3], /^c:44444 +stopped +gw +7 +.*\(5s ago\) +0$/);
});
