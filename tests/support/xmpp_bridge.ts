/**
 * The end-to-end rig of the XMPP tests: a real Prosody with user 2001, the
 * real daemon with gateway 2001 connected to it as the component, a GoIP
 * simulator for line goippy_2001 (number 3725550000) that has sent its first
 * keepalive, and user 2001 logged in. Everything is stopped afterwards and
 * the daemon must exit 0; its log is printed when the test fails.
 *
 * @module
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type DaemonHandle, startDaemon } from "./daemon.ts";
import { GoipSim } from "./goip_sim/mod.ts";
import { startProsody, type XmppServer } from "./prosody.ts";
import { connectUser, type XmppUser } from "./xmpp_user.ts";
import { COMPONENT, DOMAIN, SECRET, WAIT } from "./xmpp_world.ts";

/** What a test gets from {@linkcode bridge}. */
export interface Bridge {
  server: XmppServer;
  daemon: DaemonHandle;
  sim: GoipSim;
  user: XmppUser;
}

/** Run `fn` on a fresh rig; `config` adds to the daemon's XMPP settings. */
export async function bridge(
  fn: (b: Bridge) => Promise<void>,
  config: Record<string, string | number | boolean> = {},
  allowRegex?: string,
): Promise<void> {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: [{ user: "2001", password: "pw-2001" }],
  });
  let daemon: DaemonHandle | null = null;
  let sim: GoipSim | null = null;
  let user: XmppUser | null = null;
  try {
    daemon = await startDaemon({
      gateways: [{ ext: "2001", password: "goip-pw", allowRegex }],
      config: {
        XMPP_HOST: "127.0.0.1",
        XMPP_PORT: server.componentPort,
        XMPP_DOMAIN: DOMAIN,
        XMPP_COMPONENT_JID: COMPONENT,
        XMPP_COMPONENT_SECRET: SECRET,
        ...config,
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
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    await fn({ server, daemon, sim, user });
  } catch (err) {
    console.error(daemon?.logs());
    throw err;
  } finally {
    sim?.stopKeepalives();
    await user?.stop();
    await sim?.close();
    const code = await daemon?.stop();
    await server.stop();
    if (daemon) assertEquals(code, 0, "daemon exit code");
  }
}
