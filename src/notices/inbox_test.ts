import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ownLineJid } from "../xmpp/jid.ts";
import type { OutboxItem } from "../store/types.ts";
import {
  callEnded,
  callEndText,
  deliveryReceipt,
  incomingSms,
  sendError,
  toldOverXmpp,
  unsolicitedUssd,
  ussdAnswer,
} from "./inbox.ts";

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

const A = { XMPP_COMPONENT_JID: "sms.x", XMPP_DOMAIN: "x" };
const LINE = { goipId: "g1", ext: "2001" };

Deno.test("inbox: messages about a line go from the contact or the own line to the line's user", () => {
  assertEquals(incomingSms(LINE, "+3725551234", "hi", A), {
    kind: "chat",
    fromJid: "+3725551234@sms.x",
    toJid: "2001@x",
    body: "hi",
    refId: "",
    goipId: "g1",
  });
  assertEquals(incomingSms(LINE, "", "hi", A).fromJid, "sms.x");
  assertEquals(
    incomingSms(LINE, "My Bank", "hi", A).fromJid,
    "My\\20Bank@sms.x",
  );
  assertEquals(
    callEnded(LINE, "+1", "busy", [], A).body,
    "Call from +1 ended: busy",
  );
  assertEquals(unsolicitedUssd(LINE, "372555", "Balance 5", A), {
    kind: "chat",
    fromJid: "+372555@sms.x",
    toJid: "2001@x",
    body: "[USSD] Balance 5",
    refId: "",
    goipId: "g1",
  });
});

Deno.test("inbox: answers to a user's send come from the JID the user wrote to", () => {
  const item = {
    goipId: "g1",
    fromJid: "2001@x/phone",
    toJid: "+1555@sms.x",
    stanzaId: "m1",
    origin: "xmpp",
  } as OutboxItem;
  assertEquals(toldOverXmpp(item), true);
  assertEquals(toldOverXmpp({ ...item, origin: "cli" }), false);
  assertEquals(toldOverXmpp({ ...item, fromJid: "" }), false);
  assertEquals(deliveryReceipt(item), {
    kind: "receipt",
    fromJid: "+1555@sms.x",
    toJid: "2001@x/phone",
    body: "",
    refId: "m1",
    goipId: "g1",
  });
  assertEquals(sendError(item, "nope").kind, "error");
  assertEquals(sendError(item, "nope").refId, "m1");
  assertEquals(ussdAnswer(item, "42").body, "[USSD] 42");
  assertEquals(ussdAnswer(item, "42").refId, "");
});
