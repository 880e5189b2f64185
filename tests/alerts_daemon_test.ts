/**
 * Alerts end to end: the real daemon, a real Prosody with an admin account,
 * the GoIP simulator. A line that goes silent brings the admin one "offline"
 * message and one "back online" when it returns; a source that keeps failing
 * authentication brings one message; the line's user gets none of them.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { startProsody } from "./support/prosody.ts";
import { connectUser, type XmppUser } from "./support/xmpp_user.ts";
import {
  assert,
  COMPONENT,
  DOMAIN,
  SECRET,
  WAIT,
} from "./support/xmpp_world.ts";

const ADMIN = `admin@${DOMAIN}`;

const alertsOf = (u: XmppUser): string[] =>
  u.messages.filter((m) =>
    m.attrs.from === COMPONENT && m.attrs.type === "chat"
  )
    .map((m) => m.getChildText("body") ?? "");

Deno.test("alerts: line offline and back, failing source, to the admin only", async () => {
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
      GOIP_OFFLINE_AFTER: 2,
      GOIP_AUTH_FAIL_LIMIT: 3,
      ADMIN_JIDS: [ADMIN],
      ALERT_LINE_AFTER: 1,
    },
  });
  const sims: GoipSim[] = [];
  const users: XmppUser[] = [];
  try {
    await daemon.waitForLog(/XMPP: connected to/, WAIT);
    const admin = await connectUser({
      port: server.c2sPort,
      domain: DOMAIN,
      user: "admin",
      password: "pw-admin",
    });
    users.push(admin);
    const user = await connectUser({
      port: server.c2sPort,
      domain: DOMAIN,
      user: "2001",
      password: "pw-2001",
    });
    users.push(user);
    const sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: daemon.udpPort },
      id: "goippy_2001",
      password: "goip-pw",
      num: "3725550000",
      retransmitMs: 500,
    });
    sims.push(sim);
    const attacker = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: daemon.udpPort },
      hostname: "127.0.0.3",
      id: "goippy_2001",
      password: "guess",
      retransmitMs: 500,
      retransmits: 0,
    });
    sims.push(attacker);
    for (let i = 0; i < 6; i++) await attacker.keepaliveTry();
    const auth = await admin.waitForMessage(
      (m) => (m.getChildText("body") ?? "").includes("127.0.0.3"),
      WAIT,
    );
    assert(
      auth.getChildText("body")!.includes("keeps failing authentication"),
      String(auth),
    );
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    // silence: offline after 2 s, alerted after 1 s more
    const offline = await admin.waitForMessage(
      (m) => (m.getChildText("body") ?? "").includes("is offline"),
      WAIT,
    );
    assertEquals(offline.attrs.from, COMPONENT);
    assert(
      offline.getChildText("body")!.includes("line 2001 (goippy_2001)"),
      String(offline),
    );
    assertEquals(await sim.keepalive(), "reg:2;status:200;");
    await admin.waitForMessage(
      (m) => (m.getChildText("body") ?? "").includes("is back online"),
      WAIT,
    );

    // the line comes back; a new silence would alert again only after
    // GOIP_OFFLINE_AFTER + ALERT_LINE_AFTER, so the count is exact here
    const got = alertsOf(admin);
    assertEquals(got.length, 3, got.join("\n"));
    assertEquals(alertsOf(user), []);
  } finally {
    for (const u of users) await u.stop();
    for (const s of sims) await s.close();
    const code = await daemon.stop();
    await server.stop();
    assertEquals(code, 0, "daemon exit code");
  }
});
