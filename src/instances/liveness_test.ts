import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Instance } from "../store/types.ts";
import { heartbeatIntervalMs, instanceId, noDaemonReason } from "./liveness.ts";

const NOW = 1_800_000_000_000;
const row = (over: Partial<Instance>): Instance => ({
  instanceId: "gw:44444",
  host: "gw",
  pid: 1,
  version: "0.1.0",
  startedMs: NOW - 3_600_000,
  heartbeatMs: NOW - 1000,
  stoppedMs: null,
  ...over,
});
const FIX = "start it (systemctl start goippy / deno task start)";
const none = (why: string) =>
  `no goippy daemon is running on this database (${why}); ${FIX}`;

Deno.test("noDaemonReason: alive when one heartbeat is fresh and not stopped", () => {
  const cases: [string, Instance[], string | null][] = [
    ["no rows", [], none("never a heartbeat")],
    ["fresh", [row({})], null],
    ["just under the limit", [row({ heartbeatMs: NOW - 14_999 })], null],
    [
      "at the limit",
      [row({ heartbeatMs: NOW - 15_000 })],
      none("last heartbeat 15 s ago from gw:44444"),
    ],
    [
      "stopped cleanly",
      [row({ heartbeatMs: NOW - 2000, stoppedMs: NOW - 2000 })],
      none("last heartbeat 2 s ago from gw:44444, stopped"),
    ],
    [
      "the latest of several dead ones is named",
      [
        row({ instanceId: "a:1", heartbeatMs: NOW - 7_200_000 }),
        row({ instanceId: "b:1", heartbeatMs: NOW - 600_000 }),
      ],
      none("last heartbeat 10 min ago from b:1"),
    ],
    [
      "one alive among dead ones",
      [row({ instanceId: "a:1", heartbeatMs: NOW - 86_400_000 }), row({})],
      null,
    ],
    [
      "days",
      [row({ heartbeatMs: NOW - 3 * 86_400_000 })],
      none("last heartbeat 3 d ago from gw:44444"),
    ],
  ];
  for (const [what, rows, want] of cases) {
    assertEquals(noDaemonReason(rows, NOW, 15), want, what);
  }
});

Deno.test("instanceId and the heartbeat interval", () => {
  assertEquals(
    instanceId({ INSTANCE_ID: "", GOIP_UDP_PORT: 44444 }, () => "gw1"),
    "gw1:44444",
  );
  assertEquals(
    instanceId({ INSTANCE_ID: "east", GOIP_UDP_PORT: 44444 }, () => "gw1"),
    "east",
  );
  assertEquals(heartbeatIntervalMs(15), 5000);
  assertEquals(heartbeatIntervalMs(3), 1000);
});
