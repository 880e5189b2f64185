import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { GatewayWithState, LineState } from "../store/types.ts";
import { lineCondition } from "./status.ts";

const NOW = 1_800_000_000_000;

function gw(enabled: boolean, lastSeenMs: number | null): GatewayWithState {
  const state: LineState | null = lastSeenMs === null ? null : {
    goipId: "goippy_1",
    ext: "1",
    msisdn: "",
    addr: "10.0.0.2:5000",
    lastSeenMs,
    signal: 20,
    gsmStatus: "LOGIN",
    voipStatus: "",
    voipState: "",
    remainTime: null,
    provider: "Elisa",
    disableStatus: null,
    imei: "",
    imsi: "",
    iccid: "",
  };
  return {
    id: 1,
    ext: "1",
    goipId: "goippy_1",
    goipPass: "p",
    channel: null,
    msisdn: "",
    allowRegex: ".*",
    enabled,
    state,
  };
}

Deno.test("a line is online while its keepalives are fresh", () => {
  const table: [GatewayWithState, string][] = [
    [gw(true, null), "never seen"],
    [gw(true, 0), "never seen"],
    [gw(true, NOW - 10_000), "online"],
    [gw(true, NOW - 90_000), "online"],
    [gw(true, NOW - 91_000), "offline"],
    [gw(false, NOW - 1_000), "disabled"],
  ];
  for (const [g, want] of table) {
    assertEquals(lineCondition(g, 90, NOW), want);
  }
});
