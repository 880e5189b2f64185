/**
 * The XMPP part in-process against a real Prosody, a real SQLite store and a
 * real XMPP client as the user: SMS in, SMS out queued, every refusal. The
 * store's inbox/outbox are the boundary here; `xmpp_daemon_test.ts` covers
 * UDP end to end.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultConfig } from "../src/config/load.ts";
import { Hub } from "../src/hub.ts";
import { createLogger } from "../src/log.ts";
import type { Store } from "../src/store/types.ts";
import { startXmpp } from "../src/xmpp/start.ts";
import { xml } from "./support/xmpp_user.ts";
import {
  assert,
  COMPONENT,
  connected,
  errCondition,
  errText,
  inboxChat,
  isMsg,
  settle,
  WAIT,
  world,
} from "./support/xmpp_world.ts";
import { waitFor } from "./support/poll.ts";

Deno.test("xmpp: an incoming SMS reaches the user exactly", async () => {
  await world(async (w) => {
    await w.store.addGateway({ ext: "2001", goipPass: "pw" });
    await connected(w.xmpp());
    const user = await w.user("2001");
    const body = "Tere! ünïcödé 🙂 & <tags>\n  second line  ";
    await inboxChat(w, body);
    const m = await user.waitForMessage(isMsg("chat"), WAIT);
    assertEquals(m.getChildText("body"), body);
    assertEquals(m.attrs.from, `+3725551234@${COMPONENT}`);
    assertEquals(m.attrs.to, "2001@example.org");
    assertEquals(m.getChild("delay", "urn:xmpp:delay"), undefined);
    await waitFor(
      async () => (await w.store.pendingInbox(10)).length === 0,
      WAIT,
      "inbox done",
    );
    await settle();
    assertEquals(user.messages.filter(isMsg("chat")).length, 1);
  });
});

Deno.test(
  "xmpp: a user's SMS is queued for the gateway, body exact",
  async () => {
    await world(async (w) => {
      await w.store.addGateway({
        ext: "2001",
        goipPass: "pw",
        allowRegex: "\\+372",
      });
      const events: (string | undefined)[] = [];
      w.hub.on("outbox", (e) => events.push(e.goipId));
      await connected(w.xmpp());
      const user = await w.user("2001");
      const to = `+3725550001@${COMPONENT}`;
      // chat states and receipts have no body: never an SMS
      await user.send(
        xml(
          "message",
          { type: "chat", to },
          xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" }),
        ),
      );
      await user.sendMessage(to, "hello  there\nline two", {
        id: "out-1",
        receipt: true,
      });
      await user.sendMessage(to, "second", { id: "out-2", type: "normal" });
      await waitFor(
        async () => (await w.store.queueDepths()).outboxQueued === 2,
        WAIT,
        "2 outbox rows",
      );
      const first = (await w.store.nextQueued("goippy_2001"))!;
      assertEquals(
        [
          first.kind,
          first.number,
          first.body,
          first.fromJid,
          first.toJid,
          first.stanzaId,
          first.wantReceipt,
          first.origin,
          first.ext,
        ],
        [
          "sms",
          "+3725550001",
          "hello  there\nline two",
          "2001@example.org/test", // full JID: errors must reach the resource
          to,
          "out-1",
          true,
          "xmpp",
          "2001",
        ],
      );
      const second = (await w.store.outboxItem(first.id + 1))!;
      assertEquals([second.body, second.stanzaId, second.wantReceipt], [
        "second",
        "out-2",
        false,
      ]);
      assertEquals(events, ["goippy_2001", "goippy_2001"]);
      await settle();
      assertEquals(user.messages.filter(isMsg("error")).length, 0);
    });
  },
);

Deno.test(
  "xmpp: every refusal is an error stanza with a clear text; nothing is queued",
  async () => {
    await world(async (w) => {
      await w.store.addGateway({
        ext: "2001",
        goipPass: "pw",
        allowRegex: "\\+372",
      });
      await w.store.addGateway({ ext: "2002", goipPass: "pw" });
      await w.store.setGatewayEnabled("2002", false);
      await connected(w.xmpp());
      const [u1, u2, u3] = [
        await w.user("2001"),
        await w.user("2002"),
        await w.user("3003"),
      ];
      const cases: [typeof u1, string, string, string, string][] = [
        [
          u3,
          "+3725550001",
          "hi",
          "registration-required",
          "You (3003@example.org) have no GSM line on goippy; ask the admin to add ext 3003.",
        ],
        [
          u2,
          "+3725550001",
          "hi",
          "forbidden",
          "Your GSM line (ext 2002) is disabled; ask the admin to enable it.",
        ],
        [
          u1,
          "bank",
          "hi",
          "jid-malformed",
          '"bank" is not a phone number: write to +<3 to 20 digits>@ this service.',
        ],
        [
          u1,
          "12",
          "hi",
          "jid-malformed",
          '"12" is not a phone number: write to +<3 to 20 digits>@ this service.',
        ],
        [
          u1,
          "123\\20456",
          "hi",
          "jid-malformed",
          '"123 456" is not a phone number: write to +<3 to 20 digits>@ this service.',
        ],
        [
          u1,
          "+49301234",
          "hi",
          "not-allowed",
          "Sending to +49301234 is not allowed for your line (ext 2001).",
        ],
        [
          u1,
          "+3725550001",
          "   ",
          "bad-request",
          "Empty message: nothing to send.",
        ],
        [
          u1,
          "+3725550001",
          "x".repeat(3001),
          "policy-violation",
          "Message too long: 3001 bytes, the GoIP takes at most 3000.",
        ],
        [
          u1,
          "",
          "*100# 1234",
          "bad-request",
          '"*100# 1234" is not a USSD code (digits, *, #, + only) or a command; write "help".',
        ],
      ];
      let n = 0;
      for (const [user, number, body, condition, text] of cases) {
        const id = `bad-${n++}`;
        const to = number ? `${number}@${COMPONENT}` : COMPONENT;
        await user.sendMessage(to, body, { id });
        const err = await user.waitForMessage(isMsg("error", id), WAIT);
        assertEquals([id, errCondition(err), errText(err), err.attrs.from], [
          id,
          condition,
          text,
          to,
        ]);
      }
      assertEquals(await w.store.queueDepths(), {
        inboxPending: 0,
        outboxQueued: 0,
        outboxSending: 0,
      });
      assertEquals(await w.store.linesWithQueued(), []);
      assert(
        w.logs.some((l) => l.includes("refused message from 3003@example.org")),
      );
    });
  },
);

Deno.test("xmpp: XMPP is off when XMPP_COMPONENT_JID is empty", async () => {
  const logs: string[] = [];
  const x = startXmpp({
    config: () => ({ ...defaultConfig(), XMPP_COMPONENT_JID: "" }),
    store: {} as Store,
    hub: new Hub(),
    log: createLogger({
      level: "info",
      journald: false,
      write: (l) => logs.push(l),
    }),
  });
  assertEquals(x.state(), "off");
  await x.stop();
  assert(
    logs.some((l) => l.includes("XMPP: off (XMPP_COMPONENT_JID is empty)")),
  );
});
