/**
 * What the component answers by itself, against a real Prosody: own-line
 * commands and USSD queueing, presence subscriptions and the own line's
 * presence, disco/ping/version/gateway IQs.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { xml } from "./support/xmpp_user.ts";
import {
  assert,
  COMPONENT,
  connected,
  errCondition,
  isMsg,
  line,
  settle,
  WAIT,
  world,
} from "./support/xmpp_world.ts";
import { waitFor } from "./support/poll.ts";

const OWN = `+3725550000@${COMPONENT}`;

Deno.test(
  "xmpp: own line answers status and help, and queues USSD codes",
  async () => {
    await world(async (w) => {
      await w.store.addGateway({ ext: "2001", goipPass: "pw" });
      await w.store.saveLineState(line("goippy_2001", "2001", "3725550000"));
      await connected(w.xmpp());
      const user = await w.user("2001");
      const body = (m: { getChildText(n: string): string | null }) =>
        m.getChildText("body") ?? "";

      await user.sendMessage(OWN, " Status ");
      const status = await user.waitForMessage(
        (m) => isMsg("chat")(m) && body(m).startsWith("Line"),
        WAIT,
      );
      assertEquals(status.attrs.from, OWN);
      const text = body(status);
      assert(
        text.includes("Line +3725550000 (ext 2001, GoIP goippy_2001): online"),
        text,
      );
      assert(text.includes("Signal: 23/31\nOperator: EMT\nLast seen: "), text);
      assert(text.includes("Queued: nothing waiting"), text);

      await user.sendMessage(COMPONENT, "HELP");
      const help = await user.waitForMessage(
        (m) => isMsg("chat")(m) && body(m).startsWith("goippy:"),
        WAIT,
      );
      assertEquals(help.attrs.from, COMPONENT);
      assert(body(help).includes(`*100# here (${OWN})`), body(help));

      await user.sendMessage(OWN, "*100#", { id: "u1" });
      await waitFor(
        async () => !!(await w.store.nextQueued("goippy_2001")),
        WAIT,
        "USSD row",
      );
      const row = (await w.store.nextQueued("goippy_2001"))!;
      assertEquals([row.kind, row.body, row.number, row.toJid, row.stanzaId], [
        "ussd",
        "*100#",
        "",
        OWN,
        "u1",
      ]);
      // commands never reach the outbox
      assertEquals((await w.store.queueDepths()).outboxQueued, 1);
    });
  },
);

Deno.test(
  "xmpp: subscriptions are approved; the own line is available while the GoIP line is",
  async () => {
    await world(async (w) => {
      await w.store.addGateway({ ext: "2001", goipPass: "pw" });
      await w.store.saveLineState(line("goippy_2001", "2001", "3725550000"));
      await connected(w.xmpp());
      const user = await w.user("2001");
      const other = `+3725551234@${COMPONENT}`;
      for (const to of [OWN, other]) {
        await user.send(xml("presence", { type: "subscribe", to }));
        const push = await user.waitFor((s) => {
          const item = s.getChild("query", "jabber:iq:roster")?.getChild(
            "item",
          );
          return s.name === "iq" && item?.attrs.jid === to &&
            item.attrs.subscription === "to";
        }, WAIT);
        assert(push, `roster push for ${to}`);
      }
      const avail = await user.waitFor(
        (s) => s.name === "presence" && s.attrs.from === OWN && !s.attrs.type,
        WAIT,
      );
      assertEquals(avail.getChildText("status"), "signal 23/31, EMT");

      const n = user.stanzas.length;
      const after = (s: unknown) => user.stanzas.indexOf(s as never) >= n;
      w.hub.emit("lineOffline", { goipId: "goippy_2001", ext: "2001" });
      await user.waitFor(
        (s) =>
          after(s) && s.name === "presence" && s.attrs.from === OWN &&
          s.attrs.type === "unavailable",
        WAIT,
      );
      // as the inbound handler does: save the keepalive, then tell the hub
      const elisa = {
        ...line("goippy_2001", "2001", "3725550000"),
        signal: 17,
        provider: "Elisa",
      };
      await w.store.saveLineState(elisa);
      w.hub.emit("line", { state: elisa, cameOnline: true });
      const back = await user.waitFor(
        (s) =>
          after(s) && s.name === "presence" && s.attrs.from === OWN &&
          !s.attrs.type,
        WAIT,
      );
      assertEquals(back.getChildText("status"), "signal 17/31, Elisa");
      // the same keepalive again: no new presence
      const count = user.stanzas.filter((s) =>
        s.name === "presence" && s.attrs.from === OWN
      ).length;
      w.hub.emit("line", {
        state: {
          ...line("goippy_2001", "2001", "3725550000"),
          signal: 17,
          provider: "Elisa",
        },
        cameOnline: false,
      });
      await settle();
      assertEquals(
        user.stanzas.filter((s) =>
          s.name === "presence" && s.attrs.from === OWN
        ).length,
        count,
      );
      // log in again: the server probes the subscribed contact, goippy answers
      const again = await w.user("2001");
      const probed = await again.waitFor(
        (s) =>
          s.name === "presence" && s.attrs.from === OWN && !s.attrs.type,
        WAIT,
      );
      assertEquals(probed.getChildText("status"), "signal 17/31, Elisa");
      // a plain phone contact never shows as available
      assert(
        !user.stanzas.some((s) =>
          s.name === "presence" && s.attrs.from === other && !s.attrs.type
        ),
      );
    });
  },
);

Deno.test(
  "xmpp: disco, ping, version and gateway IQs are answered; other IQs get service-unavailable",
  async () => {
    await world(async (w) => {
      await connected(w.xmpp());
      const user = await w.user("2001");
      const ask = (
        type: string,
        payload: ReturnType<typeof xml>,
        to = COMPONENT,
      ) => user.iq(xml("iq", { type, to }, payload), WAIT);
      const info = await ask(
        "get",
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      );
      assertEquals(info.attrs.type, "result");
      const id = info.getChild("query")!.getChild("identity")!;
      assertEquals([id.attrs.category, id.attrs.type, id.attrs.name], [
        "gateway",
        "sms",
        "goippy",
      ]);
      const features = info.getChild("query")!.getChildren("feature").map((f) =>
        f.attrs.var
      );
      for (
        const f of [
          "http://jabber.org/protocol/disco#info",
          "urn:xmpp:ping",
          "jabber:iq:version",
          "jabber:iq:gateway",
          "urn:xmpp:receipts",
        ]
      ) {
        assert(features.includes(f), f);
      }
      assertEquals(
        (await ask("get", xml("ping", { xmlns: "urn:xmpp:ping" }))).attrs.type,
        "result",
      );
      const version =
        (await ask("get", xml("query", { xmlns: "jabber:iq:version" })))
          .getChild("query")!;
      assertEquals(version.getChildText("name"), "goippy");
      assert(/^\d+\.\d+\.\d+/.test(version.getChildText("version") ?? ""));
      assertEquals(version.getChildText("os"), Deno.build.os);
      const prompt = await ask(
        "get",
        xml("query", { xmlns: "jabber:iq:gateway" }),
      );
      assertEquals(
        prompt.getChild("query")!.getChildText("prompt"),
        "Phone number",
      );
      const jid = await ask(
        "set",
        xml(
          "query",
          { xmlns: "jabber:iq:gateway" },
          xml("prompt", {}, "+372 5555 1234"),
        ),
      );
      assertEquals(
        jid.getChild("query")!.getChildText("jid"),
        `+37255551234@${COMPONENT}`,
      );
      const bad = await ask(
        "set",
        xml("query", { xmlns: "jabber:iq:gateway" }, xml("prompt", {}, "bank")),
      );
      assertEquals([bad.attrs.type, errCondition(bad)], [
        "error",
        "bad-request",
      ]);
      for (
        const [type, ns, to] of [["get", "jabber:iq:roster", COMPONENT], [
          "set",
          "urn:example:nothing",
          COMPONENT,
        ], ["get", "vcard-temp", OWN]]
      ) {
        const r = await ask(type, xml("query", { xmlns: ns }), to);
        assertEquals([ns, r.attrs.type, errCondition(r)], [
          ns,
          "error",
          "service-unavailable",
        ]);
      }
      // exactly one answer per IQ
      await settle();
      const ids = user.stanzas.filter((s) =>
        s.name === "iq" && s.attrs.from?.includes(COMPONENT)
      ).map((s) => s.attrs.id);
      assertEquals(ids.length, new Set(ids).size);
    });
  },
);
