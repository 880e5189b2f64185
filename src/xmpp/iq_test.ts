import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { answerIq } from "./iq.ts";
import { xml, type XmlElement } from "./xml.ts";

const CTX = { componentJid: "sms.example.org", version: "1.2.3", os: "linux" };

function iq(type: string, to: string, payload?: XmlElement): XmlElement {
  return xml(
    "iq",
    { type, id: "q1", from: "2001@example.org/pc", to },
    payload,
  );
}
const q = (ns: string, ...kids: XmlElement[]) =>
  xml("query", { xmlns: ns }, ...kids);
const HEAD =
  `type="result" id="q1" from="sms.example.org" to="2001@example.org/pc"`;

Deno.test("iq: answers table", () => {
  const cases: [string, XmlElement, string | null][] = [
    [
      "disco#info on the component",
      iq("get", "sms.example.org", q("http://jabber.org/protocol/disco#info")),
      `<iq ${HEAD}><query xmlns="http://jabber.org/protocol/disco#info"><identity category="gateway" type="sms" name="goippy"/><feature var="http://jabber.org/protocol/disco#info"/><feature var="http://jabber.org/protocol/disco#items"/><feature var="urn:xmpp:ping"/><feature var="jabber:iq:version"/><feature var="jabber:iq:gateway"/><feature var="urn:xmpp:receipts"/></query></iq>`,
    ],
    [
      "disco#items",
      iq("get", "sms.example.org", q("http://jabber.org/protocol/disco#items")),
      `<iq ${HEAD}><query xmlns="http://jabber.org/protocol/disco#items"/></iq>`,
    ],
    [
      "ping",
      iq("get", "sms.example.org", xml("ping", { xmlns: "urn:xmpp:ping" })),
      `<iq ${HEAD}/>`,
    ],
    [
      "version",
      iq("get", "sms.example.org", q("jabber:iq:version")),
      `<iq ${HEAD}><query xmlns="jabber:iq:version"><name>goippy</name><version>1.2.3</version><os>linux</os></query></iq>`,
    ],
    [
      "gateway get",
      iq("get", "sms.example.org", q("jabber:iq:gateway")),
      `<iq ${HEAD}><query xmlns="jabber:iq:gateway"><desc>Enter the phone number (with country code, e.g. +3725551234) to write to.</desc><prompt>Phone number</prompt></query></iq>`,
    ],
    [
      "gateway set",
      iq(
        "set",
        "sms.example.org",
        q("jabber:iq:gateway", xml("prompt", {}, "+372 555-1234")),
      ),
      `<iq ${HEAD}><query xmlns="jabber:iq:gateway"><jid>+3725551234@sms.example.org</jid></query></iq>`,
    ],
    [
      "gateway set, not a number",
      iq(
        "set",
        "sms.example.org",
        q("jabber:iq:gateway", xml("prompt", {}, "bank")),
      ),
      `<iq type="error" id="q1" from="sms.example.org" to="2001@example.org/pc"><error type="modify"><bad-request xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">"bank" is not a phone number (+ and 3 to 20 digits).</text></error></iq>`,
    ],
    [
      "unknown get",
      iq("get", "sms.example.org", q("jabber:iq:roster")),
      `<iq type="error" id="q1" from="sms.example.org" to="2001@example.org/pc"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
    ],
    [
      "empty set",
      iq("set", "+123@sms.example.org"),
      `<iq type="error" id="q1" from="+123@sms.example.org" to="2001@example.org/pc"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
    ],
    ["result", iq("result", "sms.example.org"), null],
    ["error", iq("error", "sms.example.org"), null],
    ["no type", xml("iq", { id: "x" }), null],
  ];
  for (const [name, req, want] of cases) {
    assertEquals(
      `${name}: ${answerIq(req, CTX)?.toString() ?? null}`,
      `${name}: ${want}`,
    );
  }
});

Deno.test("iq: a contact answers disco#info and ping, not version", () => {
  const info = answerIq(
    iq(
      "get",
      "+123@sms.example.org",
      q("http://jabber.org/protocol/disco#info"),
    ),
    CTX,
  )!;
  assertEquals(info.attrs.type, "result");
  assertEquals(
    info.getChild("query")!.getChildren("feature").map((f) => f.attrs.var),
    ["http://jabber.org/protocol/disco#info", "urn:xmpp:receipts"],
  );
  const version = answerIq(
    iq("get", "+123@sms.example.org", q("jabber:iq:version")),
    CTX,
  )!;
  assertEquals(version.attrs.type, "error");
});
