import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Gateway, LineState } from "../store/types.ts";
import { helpText, lineStatusText, statusText } from "./commands.ts";

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const GW: Gateway = {
  id: 1,
  ext: "2001",
  goipId: "goippy_2001",
  goipPass: "pw",
  channel: null,
  msisdn: "3725550000",
  allowRegex: ".*",
  enabled: true,
};
const STATE: LineState = {
  goipId: "goippy_2001",
  ext: "2001",
  msisdn: "3725550000",
  addr: "127.0.0.1:1",
  lastSeenMs: NOW - 30_000,
  signal: 23,
  gsmStatus: "LOGIN",
  voipStatus: "",
  voipState: "",
  remainTime: null,
  provider: "EMT",
  disableStatus: null,
  imei: "",
  imsi: "",
  iccid: "",
};

Deno.test("commands: presence status text", () => {
  assertEquals(lineStatusText(STATE), "signal 23/31, EMT");
  assertEquals(lineStatusText({ ...STATE, provider: "" }), "signal 23/31");
  assertEquals(
    lineStatusText({ ...STATE, signal: null, provider: "" }),
    "online",
  );
});

Deno.test("commands: status text", () => {
  assertEquals(
    statusText({
      gateway: GW,
      state: STATE,
      oldestQueued: undefined,
      nowMs: NOW,
      offlineAfterS: 90,
    }),
    [
      "Line +3725550000 (ext 2001, GoIP goippy_2001): online",
      "Signal: 23/31",
      "Operator: EMT",
      "Last seen: 2026-06-01T11:59:30.000Z (30 s ago)",
      "Queued: nothing waiting",
    ].join("\n"),
  );
  const queued = { createdMs: NOW - 600_000 } as Parameters<
    typeof statusText
  >[0]["oldestQueued"];
  assertEquals(
    statusText({
      gateway: { ...GW, msisdn: "", enabled: false },
      state: undefined,
      oldestQueued: queued,
      nowMs: NOW,
      offlineAfterS: 90,
    }),
    [
      "Line (number unknown) (ext 2001, GoIP goippy_2001): offline, disabled",
      "Last seen: never (no keepalive from the GoIP yet)",
      "Queued: messages waiting to go out (oldest from 10 min ago)",
    ].join("\n"),
  );
});

Deno.test("commands: help names the addresses", () => {
  const text = helpText("sms.example.org", "3725550000");
  assertEquals(text.includes("+<number>@sms.example.org"), true);
  assertEquals(text.includes("*100# here (+3725550000@sms.example.org)"), true);
  assertEquals(
    helpText("sms.example.org", "").includes("here (sms.example.org)"),
    true,
  );
});

Deno.test("commands: status shows send limits as used/limit and the pace", () => {
  const usage = {
    hour: 3,
    day: 12,
    recipients: 5,
    knownRecipient: false,
    oldestInHourMs: null,
    lastHandedMs: null,
  };
  const text = statusText({
    gateway: GW,
    state: STATE,
    oldestQueued: undefined,
    nowMs: NOW,
    offlineAfterS: 90,
    sends: {
      limits: { hour: 30, day: 0, recipients: 100, intervalS: 5, jitterS: 2 },
      usage,
    },
  });
  assertEquals(
    text.split("\n").slice(-2),
    [
      "Sent: 3/30 this hour, 12/- today (UTC), 5/100 recipients this month (UTC)",
      "Pace: one SMS every 5 s + up to 2 s",
    ],
  );
  const none = { hour: 0, day: 0, recipients: 0, intervalS: 0, jitterS: 0 };
  assertEquals(
    statusText({
      gateway: GW,
      state: STATE,
      oldestQueued: undefined,
      nowMs: NOW,
      offlineAfterS: 90,
      sends: { limits: none, usage },
    }).split("\n").at(-1),
    "Queued: nothing waiting",
  );
});
