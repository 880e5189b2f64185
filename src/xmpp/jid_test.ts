import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  bareJid,
  escapeLocal,
  numberToJid,
  splitJid,
  unescapeLocal,
  userJid,
} from "./jid.ts";

Deno.test("jid: XEP-0106 escaping round-trips", () => {
  const cases: [string, string][] = [
    ["+3725551234", "+3725551234"],
    ["My Bank", "My\\20Bank"],
    ["a@b/c", "a\\40b\\2fc"],
    [`x"&'<>:\\`, "x\\22\\26\\27\\3c\\3e\\3a\\5c"],
  ];
  for (const [raw, escaped] of cases) {
    assertEquals(escapeLocal(raw), escaped);
    assertEquals(unescapeLocal(escaped), raw);
  }
  assertEquals(unescapeLocal("a\\zz"), "a\\zz");
  assertEquals(numberToJid("My Bank", "sms.x"), "My\\20Bank@sms.x");
  assertEquals(userJid("2001", "example.org"), "2001@example.org");
});

Deno.test("jid: split and bare", () => {
  assertEquals(splitJid("2001@Example.ORG/pc/x@y"), {
    local: "2001",
    domain: "example.org",
    resource: "pc/x@y",
  });
  assertEquals(splitJid("sms.example.org"), {
    local: "",
    domain: "sms.example.org",
    resource: "",
  });
  assertEquals(bareJid("+1@sms.x/r"), "+1@sms.x");
  assertEquals(bareJid("sms.x/r"), "sms.x");
});
