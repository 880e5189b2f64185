/**
 * `install/mod_sms_alias.lua` inside a real Prosody: a local user's message
 * to `+<number>` or `+<number>@<vhost>` reaches the SMS component as
 * `+<number>@<component>` with the body intact; other messages are untouched.
 * The component is a raw `@xmpp/component`, the user a real `@xmpp/client`.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { component } from "@xmpp/component";
import { goippy } from "./support/cli.ts";
import { startProsody, type XmppServer } from "./support/prosody.ts";
import {
  bare,
  connectUser,
  xml,
  type XmlElement,
  type XmppUser,
} from "./support/xmpp_user.ts";
import { waitFor } from "./support/poll.ts";

const DOMAIN = "example.org";
const COMPONENT = "sms.example.org";
const SECRET = "alias-secret";
const WAIT = 20_000;
const BODY = "Tere! ü €\n2nd line <&>";

interface World {
  server: XmppServer;
  user: XmppUser;
  friend: XmppUser;
  /** Stanzas the component received. */
  got: XmlElement[];
  waitAtComponent(id: string): Promise<XmlElement>;
}

async function world(
  prosody: { extraConfig?: string; componentJid?: string },
  fn: (w: World) => Promise<void>,
): Promise<void> {
  const componentJid = prosody.componentJid ?? COMPONENT;
  const server = await startProsody({
    domain: DOMAIN,
    componentJid,
    componentSecret: SECRET,
    users: [
      { user: "2001", password: "pw1" },
      { user: "2002", password: "pw2" },
    ],
    modules: ["sms_alias"],
    extraConfig: prosody.extraConfig,
  });
  const got: XmlElement[] = [];
  const comp = component({
    service: `xmpp://127.0.0.1:${server.componentPort}`,
    domain: componentJid,
    password: SECRET,
  });
  comp.reconnect.stop();
  comp.on("error", () => {});
  comp.on("stanza", (s: XmlElement) => got.push(s));
  let user: XmppUser | null = null;
  let friend: XmppUser | null = null;
  try {
    await comp.start();
    const c2s = { port: server.c2sPort, domain: DOMAIN };
    user = await connectUser({ ...c2s, user: "2001", password: "pw1" });
    friend = await connectUser({ ...c2s, user: "2002", password: "pw2" });
    const waitAtComponent = async (id: string) => {
      await waitFor(
        () => got.some((s) => s.attrs.id === id),
        WAIT,
        () =>
          `message ${id} at the component; it got:\n` +
          got.map(String).join("\n") + `\nthe user got:\n` +
          user!.stanzas.map(String).join("\n"),
        25,
      );
      return got.find((s) => s.attrs.id === id)!;
    };
    await fn({ server, user, friend, got, waitAtComponent });
  } finally {
    await user?.stop();
    await friend?.stop();
    try {
      await comp.stop();
    } catch {
      // already closed
    }
    await server.stop();
  }
}

/** The user's messages are answered in order: a ping after them proves they were handled. */
async function settle(user: XmppUser): Promise<void> {
  const res = await user.iq(
    xml(
      "iq",
      { type: "get", to: DOMAIN },
      xml("ping", { xmlns: "urn:xmpp:ping" }),
    ),
  );
  assertEquals(res.attrs.type, "result");
}

const OPTION = `sms_alias_component = "${COMPONENT}"`;

Deno.test("mod_sms_alias: bare +number reaches the component", async () => {
  await world({ extraConfig: OPTION }, async (w) => {
    const id = await w.user.sendMessage("+37255512345", BODY, {
      receipt: true,
    });
    const m = await w.waitAtComponent(id);
    assertEquals(m.attrs.to, `+37255512345@${COMPONENT}`);
    assertEquals(bare(m.attrs.from), `2001@${DOMAIN}`);
    assertEquals(m.attrs.type, "chat");
    assertEquals(m.getChildText("body"), BODY);
    assert(m.getChild("request", "urn:xmpp:receipts"), "receipt request kept");
  });
});

Deno.test("mod_sms_alias: +number@vhost and number@vhost reach the component", async () => {
  await world({ extraConfig: OPTION }, async (w) => {
    const id = await w.user.sendMessage(`+37255512345@${DOMAIN}`, BODY);
    const m = await w.waitAtComponent(id);
    assertEquals(m.attrs.to, `+37255512345@${COMPONENT}`);
    assertEquals(m.getChildText("body"), BODY);
    const id2 = await w.user.sendMessage(`37255512345@${DOMAIN}/phone`, "x", {
      type: "normal",
    });
    const m2 = await w.waitAtComponent(id2);
    assertEquals(m2.attrs.to, `37255512345@${COMPONENT}`);
    assertEquals(m2.attrs.type, "normal");
  });
});

Deno.test("mod_sms_alias: other messages are untouched", async () => {
  await world({ extraConfig: OPTION }, async (w) => {
    const id = await w.user.sendMessage(`2002@${DOMAIN}`, "to a friend");
    const m = await w.friend.waitForMessage((s) => s.attrs.id === id, WAIT);
    assertEquals(bare(m.attrs.to), `2002@${DOMAIN}`);
    assertEquals(bare(m.attrs.from), `2001@${DOMAIN}`);
    assertEquals(m.getChildText("body"), "to a friend");
    // already at the component: delivered as addressed
    const id2 = await w.user.sendMessage(`+3725551@${COMPONENT}`, "direct");
    assertEquals(
      (await w.waitAtComponent(id2)).attrs.to,
      `+3725551@${COMPONENT}`,
    );
    // not a number: never re-addressed
    const odd = [`+372 555@${DOMAIN}`, `abc@${DOMAIN}`, `+37255x@${DOMAIN}`];
    const ids: string[] = [];
    for (const to of odd) ids.push(await w.user.sendMessage(to, "no"));
    await settle(w.user);
    const id3 = await w.user.sendMessage("+3725552", "after");
    await w.waitAtComponent(id3);
    for (const i of ids) {
      assert(
        !w.got.some((s) => s.attrs.id === i),
        `${i} must not reach the component`,
      );
    }
  });
});

Deno.test("mod_sms_alias: default component is data.<vhost>", async () => {
  await world({ componentJid: `data.${DOMAIN}` }, async (w) => {
    const id = await w.user.sendMessage("+37255512345", BODY);
    const m = await w.waitAtComponent(id);
    assertEquals(m.attrs.to, `+37255512345@data.${DOMAIN}`);
    assertEquals(m.getChildText("body"), BODY);
  });
});

Deno.test("goippy --prosody-module prints install/mod_sms_alias.lua byte for byte", async () => {
  const out = await goippy(["--prosody-module"], {
    env: { GOIPPY_CONFIG: "/nonexistent/goippy.conf" },
  });
  assertEquals(out.code, 0, out.stderr);
  const file = await Deno.readTextFile(
    new URL("../install/mod_sms_alias.lua", import.meta.url),
  );
  assertEquals(out.stdout, file);
});
