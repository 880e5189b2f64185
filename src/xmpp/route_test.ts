import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Gateway } from "../store/types.ts";
import {
  classifyMessage,
  decideRoute,
  type Decision,
  isOwnLine,
  type UserMessage,
} from "./route.ts";

const CTX = { domain: "example.org", componentJid: "sms.example.org" };
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

function route(
  msg: Partial<UserMessage>,
  gw: Gateway | null = GW,
): Decision | string {
  const first = classifyMessage({
    type: "chat",
    from: "2001@example.org/phone",
    to: "+3725551234@sms.example.org",
    id: "m1",
    body: "hello",
    ...msg,
  }, CTX);
  if (first.action !== "lookup") return first;
  return decideRoute(first, gw ?? undefined, gw?.msisdn ?? "");
}

function condition(d: Decision | string): string {
  if (typeof d === "string") return d;
  return d.action === "refuse" ? `refuse:${d.error.condition}` : d.action;
}

Deno.test("route: accepted SMS keeps the body exactly", () => {
  assertEquals(route({ body: "  two words\nand a line  " }), {
    action: "sms",
    number: "+3725551234",
    body: "  two words\nand a line  ",
  });
  assertEquals(route({ type: undefined }), {
    action: "sms",
    number: "+3725551234",
    body: "hello",
  });
  assertEquals(route({ type: "normal", to: "5551234@sms.example.org" }), {
    action: "sms",
    number: "5551234",
    body: "hello",
  });
});

Deno.test("route: decisions table", () => {
  const long = "é".repeat(1501); // 3002 UTF-8 bytes
  const cases: [string, Partial<UserMessage>, Gateway | null, string][] = [
    ["no body (chat state)", { body: null }, GW, "ignore"],
    ["error stanza", { type: "error" }, GW, "ignore"],
    ["groupchat", { type: "groupchat" }, GW, "ignore"],
    ["headline", { type: "headline" }, GW, "ignore"],
    ["other domain", { from: "2001@evil.org/x" }, GW, "refuse:forbidden"],
    ["domain JID sender", { from: "example.org" }, GW, "refuse:forbidden"],
    ["no gateway", {}, null, "refuse:registration-required"],
    ["disabled", {}, { ...GW, enabled: false }, "refuse:forbidden"],
    ["letters", { to: "bank@sms.example.org" }, GW, "refuse:jid-malformed"],
    ["too short", { to: "12@sms.example.org" }, GW, "refuse:jid-malformed"],
    [
      "too long",
      { to: "1".repeat(21) + "@sms.example.org" },
      GW,
      "refuse:jid-malformed",
    ],
    [
      "space injection",
      { to: "123\\20456@sms.example.org" },
      GW,
      "refuse:jid-malformed",
    ],
    [
      "double plus",
      { to: "++123@sms.example.org" },
      GW,
      "refuse:jid-malformed",
    ],
    ["empty body", { body: "" }, GW, "refuse:bad-request"],
    ["blank body", { body: " \n\t" }, GW, "refuse:bad-request"],
    ["3002 bytes", { body: long }, GW, "refuse:policy-violation"],
    ["3000 bytes", { body: "x".repeat(3000) }, GW, "sms"],
    ["acl denies", {}, { ...GW, allowRegex: "\\+49" }, "refuse:not-allowed"],
    ["acl allows", {}, { ...GW, allowRegex: "\\+372" }, "sms"],
    [
      "acl invalid",
      {},
      { ...GW, allowRegex: "(" },
      "refuse:internal-server-error",
    ],
    ["acl empty = all", {}, { ...GW, allowRegex: "" }, "sms"],
    [
      "own line USSD",
      { to: "+3725550000@sms.example.org", body: "*100#" },
      GW,
      "ussd",
    ],
    [
      "own line w/o +",
      { to: "3725550000@sms.example.org", body: " *100# " },
      GW,
      "ussd",
    ],
    ["bare component", { to: "sms.example.org", body: "*100#" }, GW, "ussd"],
    [
      "own line status",
      { to: "sms.example.org", body: "Status" },
      GW,
      "command",
    ],
    [
      "own line help",
      { to: "+3725550000@sms.example.org", body: "HELP\n" },
      GW,
      "command",
    ],
    [
      "own line junk",
      { to: "sms.example.org", body: "*100# ; rm" },
      GW,
      "refuse:bad-request",
    ],
    [
      "own line empty",
      { to: "sms.example.org", body: "  " },
      GW,
      "refuse:bad-request",
    ],
    [
      "own line long",
      { to: "sms.example.org", body: "*".repeat(161) },
      GW,
      "refuse:bad-request",
    ],
    ["own line disabled", { to: "sms.example.org", body: "*100#" }, {
      ...GW,
      enabled: false,
    }, "refuse:forbidden"],
  ];
  for (const [name, msg, gw, want] of cases) {
    assertEquals(`${name}: ${condition(route(msg, gw))}`, `${name}: ${want}`);
  }
});

Deno.test("route: USSD code and command values", () => {
  assertEquals(route({ to: "sms.example.org", body: " *100# " }), {
    action: "ussd",
    code: "*100#",
  });
  assertEquals(route({ to: "sms.example.org", body: "Status" }), {
    action: "command",
    name: "status",
  });
});

Deno.test("route: refusal texts are human", () => {
  const d = route({}, null);
  assertEquals(
    typeof d !== "string" && d.action === "refuse" && d.error.text,
    "You (2001@example.org) have no GSM line on goippy; ask the admin to add ext 2001.",
  );
  const first = classifyMessage({
    type: "chat",
    from: "alice@example.org/phone",
    to: "+3725551234@sms.example.org",
    body: "hello",
  }, CTX);
  assertEquals(
    first.action === "lookup" &&
      decideRoute(first, undefined, "", "sms.example.org"),
    {
      action: "refuse",
      error: {
        type: "auth",
        condition: "registration-required",
        text:
          "You (alice@example.org) have no GSM line on goippy; register with sms.example.org using your line's ext and GoIP password.",
      },
    },
    "while registration is on",
  );
  const acl = route({}, { ...GW, allowRegex: "\\+49" });
  assertEquals(
    typeof acl !== "string" && acl.action === "refuse" && acl.error.text,
    "Sending to +3725551234 is not allowed for your line (ext 2001).",
  );
});

Deno.test("route: own line recognition", () => {
  assertEquals(isOwnLine("", ""), true);
  assertEquals(isOwnLine("+372", "372"), true);
  assertEquals(isOwnLine("372", "+372"), true);
  assertEquals(isOwnLine("+372", ""), false);
  assertEquals(isOwnLine("+373", "372"), false);
});

Deno.test("route: contact commands on the own line", () => {
  const own = { to: "sms.example.org" };
  assertEquals(route({ ...own, body: "name +3725551234 Mom" }), {
    action: "contact",
    command: { verb: "name", number: "+3725551234", name: "Mom" },
  });
  assertEquals(route({ ...own, body: "block" }), {
    action: "refuse",
    error: {
      type: "modify",
      condition: "bad-request",
      text: "Write: block +<number>.",
    },
  });
  // to a number, the same words are an SMS
  assertEquals(route({ body: "block me" }), {
    action: "sms",
    number: "+3725551234",
    body: "block me",
  });
});
