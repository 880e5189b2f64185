/**
 * XEP-0077 registration end to end: the real daemon with REGISTRATION on, a
 * real Prosody, real clients, a GoIP simulator. A user of the domain whose
 * name is not an ext registers line 2001 with its GoIP password; from then
 * the line's SMS reach them and theirs go out on it, and 2001@ no longer
 * speaks for it.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { GATEWAY_CHECK_EVERY_MS } from "../src/inbound/cadence.ts";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { startProsody } from "./support/prosody.ts";
import {
  connectUser,
  xml,
  type XmlElement,
  type XmppUser,
} from "./support/xmpp_user.ts";
import {
  assert,
  COMPONENT,
  DOMAIN,
  errCondition,
  errText,
  isMsg,
  SECRET,
  settle,
  WAIT,
} from "./support/xmpp_world.ts";
import { waitFor } from "./support/poll.ts";

const NS = "jabber:iq:register";
const PHONE = `+3725551234@${COMPONENT}`;
const OWN = `+3725550000@${COMPONENT}`;
const ownPresence = (type: string | undefined) => (s: XmlElement) =>
  s.name === "presence" && s.attrs.from === OWN && s.attrs.type === type;

const register = (u: XmppUser, ...kids: ReturnType<typeof xml>[]) =>
  u.iq(
    xml(
      "iq",
      { type: "set", to: COMPONENT },
      xml("query", { xmlns: NS }, ...kids),
    ),
    WAIT,
  );
const cred = (ext: string, pw: string) => [
  xml("username", {}, ext),
  xml("password", {}, pw),
];

Deno.test("xmpp e2e: register a line to another JID, then SMS both ways there", async () => {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: [
      { user: "2001", password: "pw-2001" },
      { user: "alice", password: "pw-alice" },
    ],
  });
  const users: XmppUser[] = [];
  let sim: GoipSim | null = null;
  const daemon = await startDaemon({
    gateways: [{ ext: "2001", password: "goip-pw" }],
    config: {
      XMPP_HOST: "127.0.0.1",
      XMPP_PORT: server.componentPort,
      XMPP_DOMAIN: DOMAIN,
      XMPP_COMPONENT_JID: COMPONENT,
      XMPP_COMPONENT_SECRET: SECRET,
      REGISTRATION: true,
    },
  });
  try {
    await daemon.waitForLog(/XMPP: connected to/, WAIT);
    sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: daemon.udpPort },
      id: "goippy_2001",
      password: "goip-pw",
      num: "3725550000",
      retransmitMs: 500,
    });
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    const connect = async (user: string) => {
      const u = await connectUser({
        port: server.c2sPort,
        domain: DOMAIN,
        user,
        password: `pw-${user}`,
      });
      users.push(u);
      return u;
    };
    const alice = await connect("alice");
    const ext2001 = await connect("2001");

    const info = await alice.iq(
      xml(
        "iq",
        { type: "get", to: COMPONENT },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      ),
      WAIT,
    );
    assert(
      info.getChild("query")!.getChildren("feature").some((f) =>
        f.attrs.var === NS
      ),
      "disco#info lists jabber:iq:register",
    );
    const form = await alice.iq(
      xml("iq", { type: "get", to: COMPONENT }, xml("query", { xmlns: NS })),
      WAIT,
    );
    const q = form.getChild("query", NS)!;
    assertEquals(
      [
        form.attrs.type,
        !!q.getChild("registered"),
        !!q.getChild("username"),
        !!q.getChild("password"),
      ],
      ["result", false, true, true],
    );

    const wrong = await register(alice, ...cred("2001", "guess"));
    assertEquals([wrong.attrs.type, errCondition(wrong), errText(wrong)], [
      "error",
      "not-authorized",
      "Wrong line or password.",
    ]);
    await ext2001.send(xml("presence", { type: "subscribe", to: OWN }));
    await ext2001.waitFor(ownPresence(undefined), WAIT);
    const right = await register(alice, ...cred("2001", "goip-pw"));
    assertEquals(right.attrs.type, "result");
    // The line's presence moves with it.
    await alice.waitFor(ownPresence(undefined), WAIT);
    await ext2001.waitFor(ownPresence("unavailable"), WAIT);
    const again = await alice.iq(
      xml("iq", { type: "get", to: COMPONENT }, xml("query", { xmlns: NS })),
      WAIT,
    );
    assertEquals(again.getChild("query", NS)!.getChildText("username"), "2001");
    assert(
      again.getChild("query", NS)!.getChild("registered"),
      "<registered/>",
    );

    // The UDP side re-reads gateways when their version changed, at most
    // this long after the change (the registration has committed by now).
    await new Promise((r) => setTimeout(r, GATEWAY_CHECK_EVERY_MS + 100));
    const r = await sim.receive("+3725551234", "to whoever holds the line");
    assert(r.acked, "RECEIVE acknowledged");
    const m = await alice.waitForMessage(isMsg("chat"), WAIT);
    assertEquals([m.attrs.from, m.getChildText("body")], [
      PHONE,
      "to whoever holds the line",
    ]);

    await alice.sendMessage(PHONE, "from alice by SMS");
    await sim.waitForSms(1, WAIT);
    assertEquals([sim.sentSms[0].number, sim.sentSms[0].text], [
      "+3725551234",
      "from alice by SMS",
    ]);

    // The line's contacts are the registered user's: a block holds.
    await alice.sendMessage(OWN, "block +3725559999");
    await alice.waitFor(
      (s) =>
        s.attrs.from === OWN &&
        (s.getChildText("body") ?? "").startsWith("+3725559999 is blocked"),
      WAIT,
    );
    assert((await sim.receive("+3725559999", "spam")).acked, "spam acked");
    assert((await sim.receive("+3725551234", "after")).acked, "after acked");
    const after = await alice.waitForMessage(
      (s) => s.getChildText("body") === "after",
      WAIT,
    );
    assertEquals(after.attrs.from, PHONE);
    assertEquals(
      alice.messages.filter((s) => s.getChildText("body") === "spam").length,
      0,
      "the blocked number's SMS is withheld",
    );

    const id = await ext2001.sendMessage(PHONE, "not mine any more");
    const refused = await ext2001.waitForMessage(isMsg("error", id), WAIT);
    assertEquals(errCondition(refused), "registration-required");
    await settle();
    assertEquals(sim.sentSms.length, 1, "2001@ sent nothing");
    assertEquals(
      ext2001.messages.filter(isMsg("chat")).length,
      0,
      "2001@ got no SMS",
    );

    const removed = await register(alice, xml("remove", {}));
    assertEquals(removed.attrs.type, "result");
    const id2 = await ext2001.sendMessage(PHONE, "mine again");
    await sim.waitForSms(2, WAIT);
    assertEquals(sim.sentSms[1].text, "mine again");
    assert(
      !ext2001.messages.some(isMsg("error", id2)),
      "2001@ speaks for the line again",
    );

    // REGISTRATION follows a SIGHUP: off, the form and the feature are gone.
    const conf = await Deno.readTextFile(daemon.configPath);
    await Deno.writeTextFile(
      daemon.configPath,
      conf.replace(/^REGISTRATION = true$/m, "REGISTRATION = false"),
    );
    const mark = daemon.logs().length;
    daemon.signal("SIGHUP");
    await waitFor(
      () => /reloaded .*changed .*REGISTRATION/.test(daemon.logs().slice(mark)),
      WAIT,
      "reloaded",
    );
    const off = await alice.iq(
      xml("iq", { type: "get", to: COMPONENT }, xml("query", { xmlns: NS })),
      WAIT,
    );
    assertEquals([off.attrs.type, errCondition(off)], [
      "error",
      "service-unavailable",
    ]);
    const info2 = await alice.iq(
      xml(
        "iq",
        { type: "get", to: COMPONENT },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      ),
      WAIT,
    );
    assert(
      !info2.getChild("query")!.getChildren("feature").some((f) =>
        f.attrs.var === NS
      ),
      "disco#info no longer lists jabber:iq:register",
    );
  } finally {
    for (const u of users) await u.stop();
    await sim?.close();
    const code = await daemon.stop();
    await server.stop();
    assertEquals(code, 0, "daemon exit code");
  }
});
