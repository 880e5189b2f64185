import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { lineOnline } from "./line_online.ts";
import type { LineState } from "./store/types.ts";

const NOW = 1_700_000_000_000;
const LINE: LineState = {
  goipId: "goippy_2001",
  ext: "2001",
  msisdn: "+3725550000",
  addr: "127.0.0.1:1",
  lastSeenMs: NOW - 30_000,
  signal: 23,
  gsmStatus: "LOGIN",
  voipStatus: "LOGIN",
  voipState: "IDLE",
  remainTime: null,
  provider: "EMT",
  disableStatus: false,
  imei: "",
  imsi: "",
  iccid: "",
};

Deno.test("lineOnline: a known address and a keepalive within GOIP_OFFLINE_AFTER", () => {
  const c = { GOIP_OFFLINE_AFTER: 90 };
  const table: [string, LineState | undefined, boolean][] = [
    ["seen 30 s ago", LINE, true],
    ["seen exactly 90 s ago", { ...LINE, lastSeenMs: NOW - 90_000 }, true],
    ["seen 91 s ago", { ...LINE, lastSeenMs: NOW - 91_000 }, false],
    ["never seen", { ...LINE, lastSeenMs: 0 }, false],
    ["no address known", { ...LINE, addr: "" }, false],
    ["no state at all", undefined, false],
  ];
  for (const [what, line, want] of table) {
    assertEquals([what, lineOnline(line, NOW, c)], [what, want]);
  }
});
