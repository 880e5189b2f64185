/**
 * What today's clients send, through the real daemon, a real Prosody and a
 * real XMPP client, with the GoIP simulator telling what went out: the
 * stanza shapes of `src/xmpp/testdata/client_stanzas.json` (reactions,
 * encryption, replies, files, chat states…), then retractions and
 * corrections of a message still queued and of one already sent.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { parseXml } from "./support/parse_xml.ts";
import { startProsody } from "./support/prosody.ts";
import { startEjabberd } from "./support/ejabberd.ts";
import { connectUser, xml, type XmppUser } from "./support/xmpp_user.ts";
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
import cases from "../src/xmpp/testdata/client_stanzas.json" with {
  type: "json",
};

const NUMBER = "+3725551234";
const CONTACT = `${NUMBER}@${COMPONENT}`;

interface Bridge {
  daemon: DaemonHandle;
  sim: GoipSim;
  user: XmppUser;
}

const SERVER = {
  domain: DOMAIN,
  componentJid: COMPONENT,
  componentSecret: SECRET,
  users: [{ user: "2001", password: "pw-2001" }],
};

/**
 * A bridge whose line is offline until the test sends a keepalive; on
 * Prosody, or on ejabberd when `ejabberd` (skipped when not installed).
 */
async function bridge(
  fn: (b: Bridge) => Promise<void>,
  ejabberd = false,
): Promise<void> {
  const server = ejabberd
    ? await startEjabberd(SERVER)
    : await startProsody(SERVER);
  if (!server) {
    console.log("ejabberd is not installed here: skipped");
    return;
  }
  let daemon: DaemonHandle | null = null;
  let sim: GoipSim | null = null;
  let user: XmppUser | null = null;
  try {
    daemon = await startDaemon({
      gateways: [{ ext: "2001", password: "goip-pw" }],
      config: {
        XMPP_HOST: "127.0.0.1",
        XMPP_PORT: server.componentPort,
        XMPP_DOMAIN: DOMAIN,
        XMPP_COMPONENT_JID: COMPONENT,
        XMPP_COMPONENT_SECRET: SECRET,
      },
    });
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
    await fn({ daemon, sim, user });
  } finally {
    await user?.stop();
    await sim?.close();
    const code = await daemon?.stop();
    await server.stop();
    if (daemon) assertEquals(code, 0, "daemon exit code");
  }
}

/** A plain message as Conversations sends it, with its origin id. */
function plain(id: string, body: string): ReturnType<typeof xml> {
  return xml(
    "message",
    { to: CONTACT, id, type: "chat" },
    xml("body", {}, body),
    xml("request", { xmlns: "urn:xmpp:receipts" }),
    xml("origin-id", { xmlns: "urn:xmpp:sid:0", id }),
  );
}

/** XEP-0424 retraction of `ref`, as Conversations and Gajim send it. */
function retraction(id: string, ref: string): ReturnType<typeof xml> {
  return parseXml(
    `<message to='${CONTACT}' id='${id}' type='chat'><retract id='${ref}' xmlns='urn:xmpp:message-retract:1'/><fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/><body>This person attempted to retract a previous message, but it's unsupported by your client.</body><store xmlns='urn:xmpp:hints'/></message>`,
  );
}

/** XEP-0308 correction of `ref` with the full new text. */
function correction(
  id: string,
  ref: string,
  body: string,
): ReturnType<typeof xml> {
  return xml(
    "message",
    { to: CONTACT, id, type: "chat" },
    xml("body", {}, body),
    xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: ref }),
    xml("origin-id", { xmlns: "urn:xmpp:sid:0", id }),
  );
}

/** Wait until the daemon holds the user's message `id` queued (with `body`). */
async function queued(
  daemon: DaemonHandle,
  id: string,
  body?: string,
): Promise<void> {
  const store = await daemon.openStore();
  try {
    await waitFor(
      async () => {
        const item = await store.findUserItem({
          goipId: "goippy_2001",
          number: NUMBER,
          fromBare: `2001@${DOMAIN}`,
          stanzaId: id,
        });
        return item?.state === "queued" &&
          (body === undefined || item.body === body);
      },
      WAIT,
      `message ${id} queued`,
    );
  } finally {
    await store.close();
  }
}

/** Send every stanza of the table; check the GoIP and the user's answers. */
async function stanzaTable({ sim, user }: Bridge): Promise<void> {
  assertEquals(await sim.keepalive(), "reg:1;status:200;");
  const wantSms: string[] = [];
  for (const c of cases) {
    const el = parseXml(c.xml);
    const id = el.attrs.id!;
    await user.send(el);
    const expect = c.expect as Record<string, unknown>;
    // a correction of a message goippy never held goes out as written
    if (typeof expect.sms === "string") {
      wantSms.push(expect.sms);
      await sim.waitForSms(wantSms.length, WAIT);
      assertEquals(sim.sentSms.at(-1)?.text, expect.sms, c.name);
    } else if (typeof expect.refuse === "string") {
      const err = await user.waitForMessage(isMsg("error", id), WAIT);
      assertEquals(errCondition(err), expect.refuse, c.name);
      assert(errText(err).includes(String(expect.text)), errText(err));
    }
  }
  await settle(1500);
  assertEquals(sim.sentSms.map((s) => s.text), wantSms);
  // chat states, markers, receipts and key exchanges get no answer
  for (const c of cases.filter((c) => "ignore" in c.expect)) {
    const id = parseXml(c.xml).attrs.id;
    assertEquals(
      user.messages.filter((m) => m.attrs.id === id).map(String),
      [],
      c.name,
    );
  }
}

Deno.test(
  "clients: every stanza shape gives exactly the SMS or the answer it should (Prosody)",
  () => bridge(stanzaTable),
);

Deno.test(
  "clients: every stanza shape gives exactly the SMS or the answer it should (ejabberd)",
  () => bridge(stanzaTable, true),
);

Deno.test(
  "clients: a retraction withdraws a queued SMS; a correction replaces its text",
  async () => {
    await bridge(async ({ daemon, sim, user }) => {
      await user.send(plain("orig-1", "Meet at 7"));
      await queued(daemon, "orig-1");
      await user.send(retraction("retract-1", "orig-1"));
      const ok = await user.waitForMessage(
        (m) =>
          m.attrs.type === "chat" && m.attrs.from === CONTACT &&
          (m.getChildText("body") ?? "").startsWith("Withdrawn"),
        WAIT,
      );
      assert(ok.getChildText("body")!.includes(NUMBER), String(ok));

      await user.send(plain("orig-2", "Meet at 8"));
      await queued(daemon, "orig-2");
      await user.send(correction("fix-2", "orig-2", "Meet at 9"));
      await user.send(correction("fix-3", "orig-2", "Meet at 9:30"));
      await queued(daemon, "orig-2", "Meet at 9:30");

      assertEquals(await sim.keepalive(), "reg:1;status:200;");
      await sim.waitForSms(1, WAIT);
      await settle(1500);
      assertEquals(sim.sentSms.map((s) => [s.number, s.text]), [
        [NUMBER, "Meet at 9:30"],
      ]);
      // a second retraction of the withdrawn message says so
      await user.send(retraction("retract-1b", "orig-1"));
      const again = await user.waitForMessage(
        isMsg("error", "retract-1b"),
        WAIT,
      );
      assert(errText(again).includes("already withdrawn"), errText(again));
    });
  },
);

Deno.test(
  "clients: after the SMS went out, a retraction is refused and a correction is a new SMS",
  async () => {
    await bridge(async ({ sim, user }) => {
      assertEquals(await sim.keepalive(), "reg:1;status:200;");
      await user.send(plain("sent-1", "See you Monday"));
      await sim.waitForSms(1, WAIT);
      await settle(500);
      await user.send(retraction("retract-s1", "sent-1"));
      const err = await user.waitForMessage(
        isMsg("error", "retract-s1"),
        WAIT,
      );
      assertEquals(
        [errCondition(err), errText(err)],
        ["not-allowed", "Already sent; an SMS cannot be unsent."],
      );
      await user.send(correction("fix-s1", "sent-1", "See you Tuesday"));
      await sim.waitForSms(2, WAIT);
      await settle(1500);
      assertEquals(sim.sentSms.map((s) => s.text), [
        "See you Monday",
        "See you Tuesday",
      ]);
      // retracting a message goippy never held
      await user.send(retraction("retract-x", "never-seen"));
      const none = await user.waitForMessage(
        isMsg("error", "retract-x"),
        WAIT,
      );
      assertEquals(errCondition(none), "item-not-found");
    });
  },
);
