import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { iqRoutes } from "./iq.ts";
import { xml, type XmlElement } from "./xml.ts";

const CTX = { componentJid: "sms.example.org", version: "1.2.3", os: "linux" };

/** What the route for this IQ answers, as the library's IQ callee picks it. */
async function answer(req: XmlElement): Promise<string | null> {
  const payload = req.children.find((c): c is XmlElement =>
    typeof c !== "string"
  )!;
  const route = iqRoutes(CTX).find((r) =>
    r.type === req.attrs.type && payload.is(r.name, r.ns)
  );
  const reply = await route?.answer(req, payload);
  return reply === true ? "(empty result)" : reply?.toString() ?? null;
}

function iq(type: string, to: string, payload: XmlElement): XmlElement {
  return xml(
    "iq",
    { type, id: "q1", from: "2001@example.org/pc", to },
    payload,
  );
}
const q = (ns: string, ...kids: XmlElement[]) =>
  xml("query", { xmlns: ns }, ...kids);

Deno.test("iq: answers table", async () => {
  const cases: [string, XmlElement, string | null][] = [
    [
      "disco#info on the component",
      iq("get", "sms.example.org", q("http://jabber.org/protocol/disco#info")),
      `<query xmlns="http://jabber.org/protocol/disco#info"><identity category="gateway" type="sms" name="goippy"/><feature var="http://jabber.org/protocol/disco#info"/><feature var="http://jabber.org/protocol/disco#items"/><feature var="urn:xmpp:ping"/><feature var="jabber:iq:version"/><feature var="jabber:iq:gateway"/><feature var="urn:xmpp:receipts"/><feature var="http://jabber.org/protocol/commands"/></query>`,
    ],
    [
      "disco#items",
      iq("get", "sms.example.org", q("http://jabber.org/protocol/disco#items")),
      `<query xmlns="http://jabber.org/protocol/disco#items"/>`,
    ],
    [
      "ping",
      iq("get", "sms.example.org", xml("ping", { xmlns: "urn:xmpp:ping" })),
      "(empty result)",
    ],
    [
      "version",
      iq("get", "sms.example.org", q("jabber:iq:version")),
      `<query xmlns="jabber:iq:version"><name>goippy</name><version>1.2.3</version><os>linux</os></query>`,
    ],
    [
      "gateway get",
      iq("get", "sms.example.org", q("jabber:iq:gateway")),
      `<query xmlns="jabber:iq:gateway"><desc>Enter the phone number (with country code, e.g. +3725551234) to write to.</desc><prompt>Phone number</prompt></query>`,
    ],
    [
      "gateway set",
      iq(
        "set",
        "sms.example.org",
        q("jabber:iq:gateway", xml("prompt", {}, "+372 555-1234")),
      ),
      `<query xmlns="jabber:iq:gateway"><jid>+3725551234@sms.example.org</jid></query>`,
    ],
    [
      "gateway set, not a number",
      iq(
        "set",
        "sms.example.org",
        q("jabber:iq:gateway", xml("prompt", {}, "bank")),
      ),
      `<error type="modify"><bad-request xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">"bank" is not a phone number (+ and 3 to 20 digits).</text></error>`,
    ],
    [
      "gateway on a contact",
      iq("get", "+123@sms.example.org", q("jabber:iq:gateway")),
      null,
    ],
    ["unknown get", iq("get", "sms.example.org", q("jabber:iq:roster")), null],
    [
      "ping as a set",
      iq("set", "sms.example.org", xml("ping", { xmlns: "urn:xmpp:ping" })),
      null,
    ],
  ];
  for (const [name, req, want] of cases) {
    assertEquals(`${name}: ${await answer(req)}`, `${name}: ${want}`);
  }
});

Deno.test("iq: a contact answers disco#info and ping, not version", async () => {
  const to = "+123@sms.example.org";
  const info = await answer(
    iq("get", to, q("http://jabber.org/protocol/disco#info")),
  );
  assertEquals(
    info,
    `<query xmlns="http://jabber.org/protocol/disco#info"><identity category="client" type="sms" name="SMS contact"/><feature var="http://jabber.org/protocol/disco#info"/><feature var="urn:xmpp:receipts"/></query>`,
  );
  assertEquals(
    await answer(iq("get", to, xml("ping", { xmlns: "urn:xmpp:ping" }))),
    "(empty result)",
  );
  assertEquals(await answer(iq("get", to, q("jabber:iq:version"))), null);
});
