/**
 * End to end through the real daemon (spawned with goippy's own flags): a
 * GoIP simulator on UDP, a real Prosody, a real XMPP client as the user.
 * SMS both ways in both send modes, DELIVER → receipt, refusals that never
 * reach the GoIP, the USSD round trip, own-line presence from keepalives.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { bridge } from "./support/xmpp_bridge.ts";
import { connectUser, xml } from "./support/xmpp_user.ts";
import {
  assert,
  COMPONENT,
  DOMAIN,
  errCondition,
  errText,
  isMsg,
  settle,
  WAIT,
} from "./support/xmpp_world.ts";
import { waitFor } from "./support/poll.ts";

const OWN = `+3725550000@${COMPONENT}`;

Deno.test(
  "xmpp e2e: SMS in exact; SMS out in the one-packet form; DELIVER becomes a receipt",
  async () => {
    await bridge(async ({ sim, user, daemon }) => {
      const r = await sim.receive("+3725551234", "Tere! 🙂 two  spaces");
      assert(r.acked, "RECEIVE acknowledged");
      const m = await user.waitForMessage(isMsg("chat"), WAIT);
      assertEquals([
        m.attrs.from,
        m.attrs.to?.split("/")[0],
        m.getChildText("body"),
      ], [
        `+3725551234@${COMPONENT}`,
        "2001@example.org",
        "Tere! 🙂 two  spaces",
      ]);

      const id = await user.sendMessage(
        `+3725551234@${COMPONENT}`,
        "Hello back\nsecond line",
        { receipt: true },
      );
      await sim.waitForSms(1, WAIT);
      const sent = sim.sentSms[0];
      assertEquals([sent.number, sent.text, sent.form], [
        "+3725551234",
        "Hello back\nsecond line",
        "sms",
      ]);
      assert(sent.smsNo !== null, "module gave an sms_no");
      const store = await daemon.openStore();
      try {
        await waitFor(
          async () =>
            !!(await store.findSentBySmsNo("goippy_2001", sent.smsNo!, 0)),
          WAIT,
          "outbox row sent",
        );
      } finally {
        await store.close();
      }
      const d = await sim.deliver(sent.smsNo!, 0, "+3725551234");
      assert(d.acked, "DELIVER acknowledged");
      const receipt = await user.waitForMessage(
        (s) => !!s.getChild("received", "urn:xmpp:receipts"),
        WAIT,
      );
      assertEquals(
        receipt.getChild("received", "urn:xmpp:receipts")!.attrs.id,
        id,
      );
      assertEquals(receipt.attrs.from, `+3725551234@${COMPONENT}`);
      await settle();
      assertEquals(sim.sentSms.length, 1);
    });
  },
);

Deno.test(
  "xmpp e2e: SMS out with SMS_SEND_MODE = msg uses the MSG/PASSWORD/SEND/DONE session",
  async () => {
    await bridge(async ({ sim, user }) => {
      await user.sendMessage(`+3725551234@${COMPONENT}`, "via the session ü");
      await sim.waitForSms(1, WAIT);
      const sent = sim.sentSms[0];
      assertEquals([sent.number, sent.text, sent.form], [
        "+3725551234",
        "via the session ü",
        "session",
      ]);
      await settle();
      assertEquals(sim.sentSms.length, 1);
    }, { SMS_SEND_MODE: "msg" });
  },
);

Deno.test(
  "xmpp e2e: refusals answer the user and nothing reaches the GoIP",
  async () => {
    await bridge(
      async ({ sim, user }) => {
        const cases: [string, string, string][] = [
          [`+49301234@${COMPONENT}`, "hi", "not-allowed"],
          [`bank@${COMPONENT}`, "hi", "jid-malformed"],
          [`+3725551234@${COMPONENT}`, " ", "bad-request"],
          [OWN, "*100# ;x", "bad-request"],
        ];
        for (const [to, body, condition] of cases) {
          const id = await user.sendMessage(to, body);
          const err = await user.waitForMessage(isMsg("error", id), WAIT);
          assertEquals([to, errCondition(err)], [to, condition]);
          assert(errText(err).length > 10, errText(err));
        }
        await settle(1500);
        assertEquals(sim.sentSms, []);
        assertEquals(sim.ussdRequests, []);
      },
      {},
      "\\+372",
    );
  },
);

Deno.test(
  "xmpp e2e: USSD round trip on the own line; its presence follows the keepalives",
  async () => {
    await bridge(async ({ sim, user }) => {
      sim.settings.ussdAnswer = "Your balance is 5.00 EUR";
      await user.send(xml("presence", { type: "subscribe", to: OWN }));
      const avail = await user.waitFor(
        (s) => s.name === "presence" && s.attrs.from === OWN && !s.attrs.type,
        WAIT,
      );
      assertEquals(avail.getChildText("status"), "signal 25/31, EMT");

      await user.sendMessage(OWN, "*100#");
      const answer = await user.waitForMessage(
        (m) =>
          isMsg("chat")(m) &&
          (m.getChildText("body") ?? "").startsWith("[USSD]"),
        WAIT,
      );
      assertEquals([answer.attrs.from, answer.getChildText("body")], [
        OWN,
        "[USSD] Your balance is 5.00 EUR",
      ]);
      assertEquals(sim.ussdRequests.map((u) => u.code), ["*100#"]);

      // no more keepalives: after GOIP_OFFLINE_AFTER the own line goes away
      const gone = await user.waitFor(
        (s) =>
          s.name === "presence" && s.attrs.from === OWN &&
          s.attrs.type === "unavailable",
        20_000,
      );
      assert(gone);
      await sim.keepalive();
      await user.waitFor(
        (s) =>
          user.stanzas.indexOf(s) > user.stanzas.indexOf(gone) &&
          s.name === "presence" && s.attrs.from === OWN && !s.attrs.type,
        WAIT,
      );
    }, { GOIP_OFFLINE_AFTER: 3 });
  },
);

Deno.test(
  "xmpp e2e: SMS received while Prosody is down are delivered after it returns, stamped, none lost or doubled",
  async () => {
    await bridge(async ({ server, sim, user, daemon }) => {
      await user.stop();
      await server.pause();
      await daemon.waitForLog(/XMPP: connection to \S+ lost/, WAIT);
      for (let i = 1; i <= 5; i++) {
        const r = await sim.receive("+3725551234", `while away ${i}`);
        assert(r.acked, `RECEIVE ${i} acknowledged while XMPP is away`);
      }
      await server.resume();
      const again = await connectUser({
        port: server.c2sPort,
        domain: DOMAIN,
        user: "2001",
        password: "pw-2001",
      });
      try {
        await waitFor(
          () => again.messages.filter(isMsg("chat")).length >= 5,
          30_000,
          "5 messages",
        );
        await settle(1000);
        const got = again.messages.filter(isMsg("chat"));
        assertEquals(
          got.map((m) => m.getChildText("body")),
          [1, 2, 3, 4, 5].map((i) => `while away ${i}`),
        );
        for (const m of got) {
          assertEquals(
            m.getChildren("delay", "urn:xmpp:delay").filter((d) =>
              d.attrs.from === COMPONENT
            ).length,
            1,
          );
        }
      } finally {
        await again.stop();
      }
    });
  },
);

Deno.test(
  "xmpp e2e: a GoIP ERROR comes back as an error on the user's message; a USSD error too",
  async () => {
    await bridge(async ({ sim, user }) => {
      sim.settings.smsBehaviour = "error";
      const id = await user.sendMessage(
        `+3725551234@${COMPONENT}`,
        "will fail",
      );
      const err = await user.waitForMessage(isMsg("error", id), WAIT);
      assertEquals(err.attrs.from, `+3725551234@${COMPONENT}`);
      assert(errText(err).length > 5, err.toString());
      assertEquals(sim.sentSms, []);

      sim.settings.ussdBehaviour = "error";
      const uid = await user.sendMessage(OWN, "*100#");
      const uerr = await user.waitForMessage(isMsg("error", uid), WAIT);
      assertEquals(uerr.attrs.from, OWN);
      assert(errText(uerr).length > 5, uerr.toString());
    });
  },
);

Deno.test(
  "xmpp e2e: an SMS over the hour's limit is refused with the limit and its reset; status shows used/limit",
  async () => {
    await bridge(async ({ sim, user }) => {
      const to = `+3725551234@${COMPONENT}`;
      await user.sendMessage(to, "within the limit");
      await sim.waitForSms(1, WAIT);
      const id = await user.sendMessage(to, "over the limit");
      const err = await user.waitForMessage(isMsg("error", id), WAIT);
      assertEquals(errCondition(err), "policy-violation");
      assertEquals(err.getChild("error")?.attrs.type, "wait");
      assert(
        /^Not sent: line 2001 reached its limit of 1 SMS per hour \(1 used\); the limit resets at \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/
          .test(errText(err)),
        errText(err),
      );
      await user.sendMessage(OWN, "status");
      const status = await user.waitForMessage(
        (m) =>
          isMsg("chat")(m) &&
          (m.getChildText("body") ?? "").startsWith("Line "),
        WAIT,
      );
      assert(
        (status.getChildText("body") ?? "").includes(
          "Sent: 1/1 this hour, 1/- today (UTC), 1/- recipients this month (UTC)",
        ),
        status.getChildText("body") ?? "",
      );
      await settle(1500);
      assertEquals(sim.sentSms.map((s) => s.text), ["within the limit"]);
    }, { SEND_LIMIT_HOUR: 1 });
  },
);
