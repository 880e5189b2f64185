/**
 * Smoke test against a real ejabberd (23.x): the daemon's component
 * connects, SMS goes both ways with a receipt, a refusal comes back as an
 * error, disco and an unknown IQ are answered. Skipped (saying so) when
 * ejabberd is not installed and CI is unset.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startDaemon } from "./support/daemon.ts";
import { startEjabberd } from "./support/ejabberd.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { connectUser, xml } from "./support/xmpp_user.ts";
import {
  assert,
  COMPONENT,
  DOMAIN,
  errCondition,
  isMsg,
  SECRET,
  WAIT,
} from "./support/xmpp_world.ts";
import { waitFor } from "./support/poll.ts";

Deno.test(
  "xmpp e2e on ejabberd: SMS both ways, receipt, refusal, IQs",
  async () => {
    const server = await startEjabberd({
      domain: DOMAIN,
      componentJid: COMPONENT,
      componentSecret: SECRET,
      users: [{ user: "2001", password: "pw-2001" }],
    });
    if (!server) {
      console.log("ejabberd is not installed here: skipped");
      return;
    }
    const daemon = await startDaemon({
      gateways: [{ ext: "2001", password: "goip-pw", allowRegex: "\\+372" }],
      config: {
        XMPP_HOST: "127.0.0.1",
        XMPP_PORT: server.componentPort,
        XMPP_DOMAIN: DOMAIN,
        XMPP_COMPONENT_JID: COMPONENT,
        XMPP_COMPONENT_SECRET: SECRET,
      },
    }).catch(async (e) => {
      await server.stop();
      throw e;
    });
    const sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: daemon.udpPort },
      id: "goippy_2001",
      password: "goip-pw",
      num: "3725550000",
      retransmitMs: 500,
    });
    const user = await connectUser({
      port: server.c2sPort,
      domain: DOMAIN,
      user: "2001",
      password: "pw-2001",
    });
    try {
      await daemon.waitForLog(/XMPP: connected to/, WAIT);
      await sim.keepalive();

      assert((await sim.receive("+3725551234", "Tere ejabberd 🙂")).acked);
      const m = await user.waitForMessage(isMsg("chat"), WAIT);
      assertEquals([m.attrs.from, m.getChildText("body")], [
        `+3725551234@${COMPONENT}`,
        "Tere ejabberd 🙂",
      ]);

      const id = await user.sendMessage(
        `+3725551234@${COMPONENT}`,
        "Hello from ejabberd",
        { receipt: true },
      );
      await sim.waitForSms(1, WAIT);
      assertEquals([sim.sentSms[0].number, sim.sentSms[0].text], [
        "+3725551234",
        "Hello from ejabberd",
      ]);
      const smsNo = sim.sentSms[0].smsNo!;
      const store = await daemon.openStore();
      try {
        await waitFor(
          async () => !!(await store.findSentBySmsNo("goippy_2001", smsNo, 0)),
          WAIT,
          "outbox row sent",
        );
      } finally {
        await store.close();
      }
      assert((await sim.deliver(smsNo, 0, "+3725551234")).acked);
      const receipt = await user.waitFor(
        (s) => !!s.getChild("received", "urn:xmpp:receipts"),
        WAIT,
      );
      assertEquals(
        receipt?.getChild("received", "urn:xmpp:receipts")?.attrs.id,
        id,
      );

      const bad = await user.sendMessage(`+49301234@${COMPONENT}`, "no");
      const err = await user.waitForMessage(isMsg("error", bad), WAIT);
      assertEquals(errCondition(err), "not-allowed");

      const info = await user.iq(
        xml(
          "iq",
          { type: "get", to: COMPONENT },
          xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
        ),
        WAIT,
      );
      assertEquals(
        info.getChild("query")?.getChild("identity")?.attrs.type,
        "sms",
      );
      const unknown = await user.iq(
        xml(
          "iq",
          { type: "get", to: COMPONENT },
          xml("query", { xmlns: "urn:example:nothing" }),
        ),
        WAIT,
      );
      assertEquals([unknown.attrs.type, errCondition(unknown)], [
        "error",
        "service-unavailable",
      ]);
      assertEquals(sim.sentSms.length, 1);
    } finally {
      await user.stop();
      await sim.close();
      const code = await daemon.stop();
      await server.stop();
      assertEquals(code, 0);
    }
  },
);
