import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { InboxItem } from "../store/types.ts";
import { delayElement, inboxStanza, presence } from "./stanzas.ts";

const BASE: InboxItem = {
  id: 7,
  createdMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  kind: "chat",
  fromJid: "+3725551234@sms.example.org",
  toJid: "2001@example.org",
  body: "Tere & <hi>",
  refId: "",
  goipId: "goippy_2001",
};
const OPTS = { componentJid: "sms.example.org", delayed: false, id: "x1" };

Deno.test("stanzas: inbox rows become the exact XML", () => {
  const cases: [string, InboxItem, boolean, string][] = [
    [
      "chat",
      BASE,
      false,
      `<message type="chat" from="+3725551234@sms.example.org" to="2001@example.org" id="x1"><body>Tere &amp; &lt;hi&gt;</body></message>`,
    ],
    [
      "chat delayed",
      BASE,
      true,
      `<message type="chat" from="+3725551234@sms.example.org" to="2001@example.org" id="x1"><body>Tere &amp; &lt;hi&gt;</body><delay xmlns="urn:xmpp:delay" stamp="2026-01-02T03:04:05Z" from="sms.example.org"/></message>`,
    ],
    [
      "receipt",
      { ...BASE, kind: "receipt", refId: "orig-1", body: "" },
      false,
      `<message from="+3725551234@sms.example.org" to="2001@example.org" id="x1"><received xmlns="urn:xmpp:receipts" id="orig-1"/></message>`,
    ],
    [
      "error",
      { ...BASE, kind: "error", refId: "orig-2", body: "GoIP said ERROR" },
      false,
      `<message type="error" from="+3725551234@sms.example.org" to="2001@example.org" id="orig-2"><error type="cancel"><undefined-condition xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">GoIP said ERROR</text></error></message>`,
    ],
    [
      "error without ref id",
      { ...BASE, kind: "error", refId: "", body: "expired" },
      false,
      `<message type="error" from="+3725551234@sms.example.org" to="2001@example.org"><error type="cancel"><undefined-condition xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">expired</text></error></message>`,
    ],
  ];
  for (const [name, item, delayed, want] of cases) {
    assertEquals(
      `${name}: ${inboxStanza(item, { ...OPTS, delayed }).toString()}`,
      `${name}: ${want}`,
    );
  }
});

Deno.test("stanzas: delay stamp is UTC without milliseconds", () => {
  assertEquals(
    delayElement(0, "c").toString(),
    `<delay xmlns="urn:xmpp:delay" stamp="1970-01-01T00:00:00Z" from="c"/>`,
  );
});

Deno.test("stanzas: presence", () => {
  assertEquals(
    presence("a@c", "u@d", undefined, "signal 23/31, EMT").toString(),
    `<presence from="a@c" to="u@d"><status>signal 23/31, EMT</status></presence>`,
  );
  assertEquals(
    presence("a@c", "u@d", "unavailable").toString(),
    `<presence from="a@c" to="u@d" type="unavailable"/>`,
  );
});
