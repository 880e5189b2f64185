import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { callEndText, ownLineJid } from "./events.ts";

Deno.test("callEndText: missed, answered, unknown", () => {
  const cases: [string, string, string[] | undefined, string][] = [
    ["+1", "Normal call clearing", ["INCOMING:+1"], "Missed call from +1"],
    ["+1", "User busy", [], "Call from +1 ended: User busy"],
    ["+1", "User busy", undefined, "Call from +1 ended: User busy"],
    ["+1", "Normal", ["INCOMING:+1", "ACTIVE"], "Call from +1 ended (Normal)"],
    ["+1", "", ["CONNECTED:+1"], "Call from +1 ended (no cause given)"],
    ["", "", undefined, "Call from unknown number ended: no cause given"],
  ];
  for (const [num, cause, states, want] of cases) {
    assertEquals(callEndText(num, cause, states), want);
  }
});

Deno.test("ownLineJid: +msisdn at the component, or the component", () => {
  assertEquals(ownLineJid("+3725551234", "sms.x"), "+3725551234@sms.x");
  assertEquals(ownLineJid("3725551234", "sms.x"), "+3725551234@sms.x");
  assertEquals(ownLineJid("", "sms.x"), "sms.x");
});
