import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseXml } from "../../tests/support/parse_xml.ts";
import { rosterGrant, rosterSet } from "./roster.ts";

Deno.test("rosterGrant: the server's XEP-0356 advertisement, and nothing else", () => {
  const adv = (from: string, ns: string, perms: string) =>
    parseXml(
      `<message from='${from}' to='sms.example.org' id='a1'><privilege xmlns='${ns}'>${perms}</privilege></message>`,
    );
  const table: [ReturnType<typeof parseXml>, string | undefined][] = [
    [
      adv(
        "example.org",
        "urn:xmpp:privilege:2",
        "<perm access='roster' type='both'/><perm access='message' type='outgoing'/>",
      ),
      "both",
    ],
    [
      adv(
        "example.org",
        "urn:xmpp:privilege:1",
        "<perm access='roster' type='get'/>",
      ),
      "get",
    ],
    [
      adv(
        "example.org",
        "urn:xmpp:privilege:2",
        "<perm access='message' type='outgoing'/>",
      ),
      "none",
    ],
    // only the server itself may grant
    [
      adv(
        "2001@example.org",
        "urn:xmpp:privilege:2",
        "<perm access='roster' type='both'/>",
      ),
      undefined,
    ],
    [
      parseXml("<message from='example.org'><body>hi</body></message>"),
      undefined,
    ],
  ];
  for (const [el, want] of table) {
    assertEquals(rosterGrant(el, "example.org"), want, String(el));
  }
});

Deno.test('rosterSet: one IQ with every item, names kept ("" clears)', () => {
  assertEquals(
    rosterSet("sms.example.org", "2001@example.org", [
      { jid: "+3725551234@sms.example.org", name: "Mom" },
      { jid: "+3725559999@sms.example.org", name: "" },
    ], "r1").toString(),
    '<iq type="set" from="sms.example.org" to="2001@example.org" id="r1">' +
      '<query xmlns="jabber:iq:roster">' +
      '<item jid="+3725551234@sms.example.org" name="Mom"/>' +
      '<item jid="+3725559999@sms.example.org" name=""/></query></iq>',
  );
});
