/**
 * Contact names and blocked numbers, end to end (real daemon, real Prosody,
 * real client, GoIP simulator): a name set on the own line shows as the
 * XEP-0172 nick of that number's messages; a blocked number's SMS is kept
 * but not delivered, and SMS to it are refused before the GoIP hears of them.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { startProsody, type XmppServer } from "./support/prosody.ts";
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

const OWN = `+3725550000@${COMPONENT}`;
const MOM = "+3725551234";
const NICK = "http://jabber.org/protocol/nick";

/** Write `text` to the own line; the answer's body. */
async function command(user: XmppUser, text: string): Promise<string> {
  const before = user.messages.length;
  await user.sendMessage(OWN, text);
  const answer = await user.waitFor(
    (s) =>
      user.messages.indexOf(s) >= before && s.attrs.from === OWN &&
      s.attrs.type === "chat",
    WAIT,
  );
  return answer.getChildText("body") ?? "";
}

Deno.test("contacts: names become nicks; blocked numbers are kept, not delivered, not sent to", async () => {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: [{ user: "2001", password: "pw-2001" }],
  });
  const daemon = await startDaemon({
    gateways: [{ ext: "2001", password: "goip-pw" }],
    config: {
      XMPP_HOST: "127.0.0.1",
      XMPP_PORT: server.componentPort,
      XMPP_DOMAIN: DOMAIN,
      XMPP_COMPONENT_JID: COMPONENT,
      XMPP_COMPONENT_SECRET: SECRET,
    },
  });
  let sim: GoipSim | null = null;
  let user: XmppUser | null = null;
  try {
    await daemon.waitForLog(/XMPP: connected to/, WAIT);
    sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: daemon.udpPort },
      id: "goippy_2001",
      password: "goip-pw",
      num: "3725550000",
      retransmitMs: 500,
    });
    user = await connectUser({
      port: server.c2sPort,
      domain: DOMAIN,
      user: "2001",
      password: "pw-2001",
    });
    assertEquals(await sim.keepalive(), "reg:1;status:200;");

    assertEquals(
      await command(user, "name 3725551234 Mom 🌷"),
      `${MOM} is now "Mom 🌷".`,
    );
    await sim.receive(MOM, "dinner at 7?");
    const named = await user.waitForMessage(
      (m) => m.getChildText("body") === "dinner at 7?",
      WAIT,
    );
    assertEquals(named.attrs.from, `${MOM}@${COMPONENT}`);
    assertEquals(named.getChildText("nick", NICK), "Mom 🌷");
    await sim.receive("+3725559999", "unnamed");
    const plain = await user.waitForMessage(
      (m) => m.getChildText("body") === "unnamed",
      WAIT,
    );
    assertEquals(plain.getChild("nick", NICK), undefined);

    assert(
      (await command(user, "block +3725551234")).startsWith(
        `${MOM} is blocked`,
      ),
    );
    const r = await sim.receive(MOM, "are you there?");
    assert(r.acked, "a blocked number's SMS is still acknowledged");
    const id = await user.sendMessage(`${MOM}@${COMPONENT}`, "hello");
    const err = await user.waitForMessage(isMsg("error", id), WAIT);
    assertEquals(errCondition(err), "not-allowed");
    assert(errText(err).includes(`You blocked ${MOM}`), errText(err));
    assertEquals(
      await command(user, "contacts"),
      `${MOM} "Mom 🌷" (blocked)`,
    );
    const store = await daemon.openStore();
    try {
      await waitFor(
        async () => (await store.pendingInbox(10)).length === 0,
        WAIT,
        "the blocked SMS is done, not pending",
      );
    } finally {
      await store.close();
    }
    const db = new DatabaseSync(daemon.sqlitePath, { readOnly: true });
    try {
      const kept = db.prepare(
        "SELECT done_ms FROM goippy_inbox WHERE body = ?",
      ).all("are you there?");
      assertEquals(kept.length, 1, "the blocked SMS is kept");
      assert(kept[0].done_ms !== null, "and marked done");
    } finally {
      db.close();
    }
    await settle(1000);
    assertEquals(
      user.messages.filter((m) => m.getChildText("body") === "are you there?"),
      [],
    );
    assertEquals(sim.sentSms.length, 0, "nothing reached the GoIP");

    assertEquals(
      await command(user, "unblock +3725551234"),
      `${MOM} is unblocked.`,
    );
    await user.sendMessage(`${MOM}@${COMPONENT}`, "sorry, here now");
    await sim.waitForSms(1, WAIT);
    assertEquals(sim.sentSms.map((s) => [s.number, s.text]), [
      [MOM, "sorry, here now"],
    ]);
  } finally {
    await user?.stop();
    await sim?.close();
    const code = await daemon.stop();
    await server.stop();
    assertEquals(code, 0, "daemon exit code");
  }
});

const SERVER = {
  domain: DOMAIN,
  componentJid: COMPONENT,
  componentSecret: SECRET,
  users: [{ user: "2001", password: "pw-2001" }],
};

Deno.test("contacts: with roster privilege (XEP-0356, Prosody's mod_privilege) names reach the user's roster", async () => {
  await rosterCase(
    await startProsody({
      ...SERVER,
      modules: ["privilege"],
      hostConfig:
        `privileged_entities = { ["${COMPONENT}"] = { roster = "both" } }`,
      componentConfig: `modules_enabled = { "privilege" }`,
    }),
  );
});

async function rosterCase(server: XmppServer): Promise<void> {
  const daemon = await startDaemon({
    gateways: [{ ext: "2001", password: "goip-pw" }],
    config: {
      XMPP_HOST: "127.0.0.1",
      XMPP_PORT: server.componentPort,
      XMPP_DOMAIN: DOMAIN,
      XMPP_COMPONENT_JID: COMPONENT,
      XMPP_COMPONENT_SECRET: SECRET,
    },
  });
  let sim: GoipSim | null = null;
  let user: XmppUser | null = null;
  const rosterItems = async (u: XmppUser) => {
    const r = await u.iq(
      xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })),
    );
    return (r.getChild("query", "jabber:iq:roster")?.getChildren("item") ?? [])
      .map((i) => [i.attrs.jid, i.attrs.name ?? ""]).sort();
  };
  const pushed = (jid: string, name: string) => (s: XmlElement) =>
    s.name === "iq" && s.attrs.type === "set" &&
    !!s.getChild("query", "jabber:iq:roster")?.getChildren("item").some((i) =>
      i.attrs.jid === jid && (i.attrs.name ?? "") === name
    );
  try {
    await daemon.waitForLog(/grants roster access "both"/, WAIT);
    user = await connectUser({
      port: server.c2sPort,
      domain: DOMAIN,
      user: "2001",
      password: "pw-2001",
    });
    await waitFor(
      async () => (await rosterItems(user!)).length > 0,
      WAIT,
      "own line in the roster",
    );
    assertEquals(await rosterItems(user), [[COMPONENT, "GSM line 2001"]]);
    sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: daemon.udpPort },
      id: "goippy_2001",
      password: "goip-pw",
      num: "3725550000",
      retransmitMs: 500,
    });
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    await user.waitFor(pushed(OWN, "GSM line 2001"), WAIT);

    await command(user, "name +3725551234 Mom");
    await user.waitFor(pushed(`${MOM}@${COMPONENT}`, "Mom"), WAIT);
    assertEquals(await rosterItems(user), [
      [OWN, "GSM line 2001"],
      [`${MOM}@${COMPONENT}`, "Mom"],
      [COMPONENT, "GSM line 2001"],
    ]);
    await command(user, "name +3725551234");
    await user.waitFor(pushed(`${MOM}@${COMPONENT}`, ""), WAIT);
  } finally {
    await user?.stop();
    await sim?.close();
    const code = await daemon.stop();
    await server.stop();
    assertEquals(code, 0, "daemon exit code");
  }
}
