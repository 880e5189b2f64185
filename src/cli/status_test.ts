import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { GatewayWithState, LineState } from "../store/types.ts";
import { lineCondition, sentCell } from "./status.ts";

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

Deno.test("--status shows used/limit of limited lines only", () => {
  const none = {
    SEND_INTERVAL: 0,
    SEND_JITTER: 0,
    SEND_LIMIT_HOUR: 0,
    SEND_LIMIT_DAY: 0,
    SEND_LIMIT_RECIPIENTS_MONTH: 0,
  };
  const g = gw(true, NOW);
  assertEquals(sentCell(g, none, { hour: 3, day: 4, recipients: 2 }), "");
  assertEquals(
    sentCell(g, { ...none, SEND_LIMIT_HOUR: 30 }, undefined),
    "0/30 0/- 0/-",
  );
  assertEquals(
    sentCell(
      {
        ...g,
        limits: {
          hour: null,
          day: 200,
          recipients: 100,
          interval: null,
          jitter: null,
        },
      },
      { ...none, SEND_LIMIT_HOUR: 30 },
      { hour: 3, day: 12, recipients: 5 },
    ),
    "3/30 12/200 5/100",
  );
});
