/**
 * The XMPP test harness itself, against real servers: two users exchange a
 * message, a raw `@xmpp/component` gets what is addressed to it, a restart
 * keeps the accounts; the same basic exchange on ejabberd when it can run.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { component } from "@xmpp/component";
import { startProsody, type XmppServer } from "./support/prosody.ts";
import { startEjabberd } from "./support/ejabberd.ts";
import {
  bare,
  connectUser,
  xml,
  type XmlElement,
} from "./support/xmpp_user.ts";
import { waitFor } from "./support/poll.ts";

const DOMAIN = "example.org";
const COMPONENT = "sms.example.org";
const SECRET = "harness-secret";
const WAIT = 20_000;
const USERS = [
  { user: "2001", password: "pw-2001" },
  { user: "2002", password: "pw 2002 ü" },
];

/** Two users on `server` exchange a chat message, both ways. */
async function exchange(server: XmppServer): Promise<void> {
  const a = await connectUser({
    port: server.c2sPort,
    domain: DOMAIN,
    ...USERS[0],
  });
  const b = await connectUser({
    port: server.c2sPort,
    domain: DOMAIN,
    ...USERS[1],
  });
  try {
    assertEquals(a.bareJid, `2001@${DOMAIN}`);
    const id = await a.sendMessage(`2002@${DOMAIN}`, "hello ü 👋\nline 2");
    const got = await b.waitForMessage((m) => m.attrs.id === id, WAIT);
    assertEquals(bare(got.attrs.from), `2001@${DOMAIN}`);
    assertEquals(got.getChildText("body"), "hello ü 👋\nline 2");
    const id2 = await b.sendMessage(`2001@${DOMAIN}`, "back");
    const back = await a.waitForMessage((m) => m.attrs.id === id2, WAIT);
    assertEquals(back.getChildText("body"), "back");
  } finally {
    await a.stop();
    await b.stop();
  }
}

/** A raw XEP-0114 component on `server`; resolves once online. */
async function rawComponent(server: XmppServer) {
  const received: XmlElement[] = [];
  const comp = component({
    service: `xmpp://127.0.0.1:${server.componentPort}`,
    domain: server.componentJid,
    password: server.componentSecret,
  });
  comp.reconnect.stop();
  comp.on("error", () => {});
  comp.on("stanza", (s: XmlElement) => received.push(s));
  await comp.start();
  return {
    received,
    send: (el: XmlElement) => comp.send(el) as Promise<void>,
    stop: async () => {
      try {
        await comp.stop();
      } catch {
        // server gone
      }
    },
  };
}

Deno.test("prosody: two users exchange messages", async () => {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: USERS,
  });
  try {
    await exchange(server);
  } finally {
    await server.stop();
  }
  // stop() removed the temp dir
  await Deno.stat(server.dir).then(
    () => assert(false, "temp dir left behind"),
    () => {},
  );
});

/** A raw component gets the user's message to x@component and answers it. */
async function componentRoundTrip(server: XmppServer): Promise<void> {
  const comp = await rawComponent(server);
  const a = await connectUser({
    port: server.c2sPort,
    domain: DOMAIN,
    ...USERS[0],
  });
  try {
    const id = await a.sendMessage(`x@${COMPONENT}`, "to the component");
    await waitFor(
      () => comp.received.some((s) => s.attrs.id === id),
      WAIT,
      "message at component",
      25,
    );
    const got = comp.received.find((s) => s.attrs.id === id)!;
    assertEquals(got.attrs.to, `x@${COMPONENT}`);
    assertEquals(bare(got.attrs.from), `2001@${DOMAIN}`);
    assertEquals(got.getChildText("body"), "to the component");
    await comp.send(
      xml(
        "message",
        { from: `+3725551@${COMPONENT}`, to: `2001@${DOMAIN}`, id: "c1" },
        xml("body", {}, "from the component"),
      ),
    );
    const back = await a.waitForMessage((m) => m.attrs.id === "c1", WAIT);
    assertEquals(back.attrs.from, `+3725551@${COMPONENT}`);
    assertEquals(back.getChildText("body"), "from the component");
  } finally {
    await a.stop();
    await comp.stop();
  }
}

Deno.test("prosody: a raw component receives x@component and answers", async () => {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: USERS,
  });
  try {
    await componentRoundTrip(server);
  } finally {
    await server.stop();
  }
});

Deno.test("prosody: wrong component secret is refused", async () => {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
  });
  try {
    const comp = component({
      service: `xmpp://127.0.0.1:${server.componentPort}`,
      domain: COMPONENT,
      password: "wrong",
    });
    comp.reconnect.stop();
    comp.on("error", () => {});
    let failed: unknown = null;
    try {
      await comp.start();
    } catch (e) {
      failed = e;
    }
    try {
      await comp.stop();
    } catch {
      // already closed by the server
    }
    assert(failed, "a wrong secret must not connect");
  } finally {
    await server.stop();
  }
});

Deno.test("prosody: restart keeps accounts and ports; offline message kept", async () => {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: USERS,
  });
  try {
    const ports = [server.c2sPort, server.componentPort];
    await server.register("3003", "pw-3003");
    const a = await connectUser({
      port: server.c2sPort,
      domain: DOMAIN,
      ...USERS[0],
    });
    await a.sendMessage(`3003@${DOMAIN}`, "kept while you were away");
    // the message is stored offline once the server handled it: ping after it
    await a.iq(
      xml(
        "iq",
        { type: "get", to: DOMAIN },
        xml("ping", { xmlns: "urn:xmpp:ping" }),
      ),
    );
    await a.stop();
    await server.restart();
    assertEquals([server.c2sPort, server.componentPort], ports);
    await exchange(server);
    const c = await connectUser({
      port: server.c2sPort,
      domain: DOMAIN,
      user: "3003",
      password: "pw-3003",
    });
    try {
      const m = await c.waitForMessage(
        (m) => m.getChildText("body") === "kept while you were away",
        WAIT,
      );
      assertEquals(bare(m.attrs.from), `2001@${DOMAIN}`);
    } finally {
      await c.stop();
    }
    assert(server.logs().length > 0, "prosody log is readable");
  } finally {
    await server.stop();
  }
});

Deno.test("prosody: a user stops cleanly when the server is gone or frozen", async () => {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: USERS,
  });
  try {
    const c2s = { port: server.c2sPort, domain: DOMAIN, ...USERS[0] };
    const a = await connectUser(c2s);
    await server.pause();
    await a.stop(); // the sanitizers fail this test if anything is left behind
    await server.resume();
    const b = await connectUser(c2s);
    server.signal("SIGSTOP");
    try {
      await b.stop();
    } finally {
      server.signal("SIGCONT");
    }
    const c = await connectUser(c2s);
    await server.restart();
    await c.stop();
  } finally {
    await server.stop();
  }
});

Deno.test("prosody: a wrong password is a clear error", async () => {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: USERS,
  });
  try {
    let msg = "";
    try {
      const u = await connectUser({
        port: server.c2sPort,
        domain: DOMAIN,
        user: "2001",
        password: "nope",
      });
      await u.stop();
    } catch (e) {
      msg = (e as Error).message;
    }
    assert(msg.includes("2001@example.org could not connect"), msg);
  } finally {
    await server.stop();
  }
});

Deno.test("ejabberd: two users exchange messages; component receives", async (t) => {
  const server = await startEjabberd({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: USERS,
  });
  if (!server) {
    console.log("ejabberd is not installed here: skipped");
    return;
  }
  try {
    await t.step("users", () => exchange(server));
    await t.step("component", () => componentRoundTrip(server));
    await t.step("restart keeps accounts and ports", async () => {
      const ports = [server.c2sPort, server.componentPort];
      await server.register("3003", "pw-3003");
      await server.restart();
      assertEquals([server.c2sPort, server.componentPort], ports);
      await exchange(server);
      const c = await connectUser({
        port: server.c2sPort,
        domain: DOMAIN,
        user: "3003",
        password: "pw-3003",
      });
      await c.stop();
    });
  } finally {
    await server.stop();
  }
});
