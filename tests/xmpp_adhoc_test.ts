/**
 * XEP-0050 ad-hoc commands through a real Prosody and the real daemon: what
 * a user and an admin see in disco#items, one-step commands, forms and their
 * submission, and that cancelling a waiting SMS keeps it from the GoIP.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
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
  SECRET,
  settle,
  WAIT,
} from "./support/xmpp_world.ts";
import { waitFor } from "./support/poll.ts";

const CMD = "http://jabber.org/protocol/commands";
const DATA = "jabber:x:data";

async function nodes(u: XmppUser): Promise<string[]> {
  const r = await u.iq(
    xml(
      "iq",
      { type: "get", to: COMPONENT },
      xml("query", {
        xmlns: "http://jabber.org/protocol/disco#items",
        node: CMD,
      }),
    ),
  );
  return (r.getChild("query")?.getChildren("item") ?? []).map((i) =>
    i.attrs.node ?? ""
  );
}

async function run(
  u: XmppUser,
  node: string,
  fields?: Record<string, string>,
  sessionid?: string,
): Promise<XmlElement> {
  const r = await u.iq(
    xml(
      "iq",
      { type: "set", to: COMPONENT },
      xml(
        "command",
        {
          xmlns: CMD,
          node,
          sessionid,
          action: fields ? "complete" : "execute",
        },
        fields
          ? xml(
            "x",
            { xmlns: DATA, type: "submit" },
            ...Object.entries(fields).map(([k, v]) =>
              xml("field", { var: k }, xml("value", {}, v))
            ),
          )
          : null,
      ),
    ),
  );
  const c = r.getChild("command", CMD);
  assert(c, String(r));
  return c;
}

const note = (c: XmlElement) => c.getChildText("note") ?? "";

Deno.test("ad-hoc: users and admins get their commands; forms work; cancel keeps an SMS from the GoIP", async () => {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: [
      { user: "2001", password: "pw-2001" },
      { user: "admin", password: "pw-admin" },
    ],
  });
  const daemon = await startDaemon({
    gateways: [{ ext: "2001", password: "goip-pw" }],
    config: {
      XMPP_HOST: "127.0.0.1",
      XMPP_PORT: server.componentPort,
      XMPP_DOMAIN: DOMAIN,
      XMPP_COMPONENT_JID: COMPONENT,
      XMPP_COMPONENT_SECRET: SECRET,
      ADMIN_JIDS: [`admin@${DOMAIN}`],
    },
  });
  const users: XmppUser[] = [];
  let sim: GoipSim | null = null;
  try {
    await daemon.waitForLog(/XMPP: connected to/, WAIT);
    const user = await connectUser({
      port: server.c2sPort,
      domain: DOMAIN,
      user: "2001",
      password: "pw-2001",
    });
    users.push(user);
    const admin = await connectUser({
      port: server.c2sPort,
      domain: DOMAIN,
      user: "admin",
      password: "pw-admin",
    });
    users.push(admin);

    assertEquals(await nodes(user), [
      "ussd",
      "status",
      "queued",
      "name",
      "block",
      "unblock",
      "contacts",
    ]);
    assertEquals(await nodes(admin), [
      "lines",
      "test-sms",
      "gateway-add",
      "gateway-remove",
      "gateway-enable",
      "gateway-disable",
    ]);

    const status = await run(user, "status");
    assertEquals(status.attrs.status, "completed");
    assert(note(status).includes("(ext 2001, GoIP goippy_2001): offline"));

    const form = await run(user, "name");
    assertEquals(form.attrs.status, "executing");
    assertEquals(
      form.getChild("x", DATA)?.getChildren("field").map((f) => f.attrs.var),
      ["number", "name"],
    );
    const named = await run(
      user,
      "name",
      { number: "+3725551234", name: "Mom" },
      form.attrs.sessionid,
    );
    assertEquals(note(named), '+3725551234 is now "Mom".');
    assertEquals(note(await run(user, "contacts")), '+3725551234 "Mom"');

    // the line is offline: the SMS waits, and can be cancelled
    await user.sendMessage(`+3725551234@${COMPONENT}`, "cancel me");
    const store = await daemon.openStore();
    try {
      await waitFor(
        async () => (await store.queuedOf("goippy_2001", 10)).length === 1,
        WAIT,
        "queued",
      );
    } finally {
      await store.close();
    }
    const list = await run(user, "queued");
    const options = list.getChild("x", DATA)?.getChild("field")
      ?.getChildren("option") ?? [];
    assertEquals(options.map((o) => o.attrs.label), [
      "to +3725551234: cancel me",
    ]);
    const cancelled = await run(user, "queued", {
      id: options[0].getChildText("value")!,
    });
    assertEquals(
      note(cancelled),
      "Cancelled: your message to +3725551234 was not sent.",
    );

    assertEquals(
      note(await run(user, "lines")),
      "Not allowed for you.",
    );
    const offline = await run(user, "ussd", { code: "*100#" });
    assertEquals(offline.getChild("note")?.attrs.type, "error");
    assert(note(offline).includes("nothing was dialled"), note(offline));
    sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: daemon.udpPort },
      id: "goippy_2001",
      password: "goip-pw",
      num: "3725550000",
      retransmitMs: 500,
    });
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    await settle(1500);
    assertEquals(sim.sentSms.length, 0, "the cancelled SMS never went out");

    sim.settings.ussdAnswer = "Balance 5.00 EUR";
    assertEquals(
      note(await run(user, "ussd", { code: "*100#" })),
      "Dialling *100#; the answer comes as a message from your own line.",
    );
    const answer = await user.waitForMessage(
      (m) => (m.getChildText("body") ?? "").includes("Balance 5.00 EUR"),
      WAIT,
    );
    assertEquals(answer.attrs.from, `+3725550000@${COMPONENT}`);

    assert(
      note(
        await run(admin, "test-sms", {
          ext: "2001",
          number: "+3725559999",
          text: "test 1",
        }),
      ).startsWith("Test SMS #"),
    );
    await sim.waitForSms(1, WAIT);
    assertEquals(sim.sentSms.map((m) => [m.number, m.text]), [
      ["+3725559999", "test 1"],
    ]);
    assertEquals(
      note(await run(admin, "gateway-add", { ext: "2002", password: "pw2" })),
      'Added gateway 2002: set the GoIP\'s "ID for SMS" to goippy_2002.',
    );
    assertEquals(
      note(await run(admin, "gateway-remove", { ext: "2002" })),
      "Gateway 2002 removed.",
    );

    assert(
      /^2001 goippy_2001 3725550000: online, signal/.test(
        note(await run(admin, "lines")),
      ),
    );
    assertEquals(
      note(await run(admin, "gateway-disable", { ext: "2001" })),
      "Gateway 2001 disabled.",
    );
    assertEquals(await nodes(user), []);
  } finally {
    for (const u of users) await u.stop();
    await sim?.close();
    const code = await daemon.stop();
    await server.stop();
    assertEquals(code, 0, "daemon exit code");
  }
});
