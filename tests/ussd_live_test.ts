/**
 * Live requests end to end through the real daemon, a real Prosody, a GoIP
 * simulator and a real XMPP client: a USSD code for an offline line is
 * refused at once and never reaches the GoIP, not even after the line
 * returns (XMPP and `--ussd`); an SMS that has to wait for an offline line
 * earns one notice per waiting episode, and every SMS still goes out once.
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
} from "node:assert/strict";
import { waitFor } from "./support/poll.ts";
import { type Bridge, bridge } from "./support/xmpp_bridge.ts";
import type { XmlElement } from "../src/xmpp/xml.ts";
import {
  assert,
  COMPONENT,
  errCondition,
  errText,
  isMsg,
  settle,
  WAIT,
} from "./support/xmpp_world.ts";

const OWN = `+3725550000@${COMPONENT}`;
const OFFLINE_LOG = /line goippy_2001 \(ext 2001\) offline/g;
const ONLINE_LOG = /line goippy_2001 \(ext 2001\) online from/g;

interface Rig extends Bridge {
  /** Wait until the daemon has declared the line offline `n` times. */
  offline(n: number): Promise<void>;
}

/** {@linkcode bridge} with lines going offline after 2 s. */
function rig(fn: (r: Rig) => Promise<void>): Promise<void> {
  return bridge(
    (b) =>
      fn({
        ...b,
        offline: (n) =>
          waitFor(
            () => (b.daemon.logs().match(OFFLINE_LOG) ?? []).length >= n,
            WAIT,
            `the line offline (${n})`,
          ),
      }),
    { GOIP_OFFLINE_AFTER: 2 },
  );
}

const body = (m: XmlElement) => m.getChildText("body") ?? "";
const isNotice = (m: XmlElement) =>
  isMsg("chat")(m) && m.attrs.from === OWN &&
  body(m).startsWith("Your line is offline");

Deno.test(
  "ussd live: an offline line refuses USSD at once, even after it returns nothing is dialled; online USSD still works",
  async () => {
    await rig(async ({ daemon, sim, user, offline }) => {
      sim.startKeepalives(500);
      sim.settings.ussdAnswer = "Balance 5.00 EUR";
      const isAnswer = (m: XmlElement) =>
        isMsg("chat")(m) && body(m).startsWith("[USSD]");
      await user.sendMessage(OWN, "*100#");
      const answer = await user.waitForMessage(isAnswer, WAIT);
      assertEquals([answer.attrs.from, body(answer)], [
        OWN,
        "[USSD] Balance 5.00 EUR",
      ]);

      sim.stopKeepalives();
      await offline(1);
      // The refusal comes at once: well before the line could return.
      const id = await user.sendMessage(OWN, "*123*1#");
      const err = await user.waitForMessage(isMsg("error", id), 5000);
      assertEquals(
        [err.attrs.from, errCondition(err)],
        [OWN, "recipient-unavailable"],
      );
      assertMatch(
        errText(err),
        /^USSD not sent: line offline since \S+ \S+ UTC .*nothing was dialled/,
      );
      const cli = await daemon.cli(["--ussd", "2001", "*123*2#"]);
      assertEquals([cli.code, cli.stdout], [1, ""]);
      assertMatch(
        cli.stderr,
        /^goippy: USSD not sent: line offline since [^\n]*nothing was dialled[^\n]*\n$/,
      );

      // The line returns (and stays): neither code is dialled late.
      sim.startKeepalives(500);
      await waitFor(
        () => (daemon.logs().match(ONLINE_LOG) ?? []).length >= 2,
        WAIT,
        "the line back online",
      );
      await settle(1500);
      assertEquals(sim.ussdRequests.map((u) => u.code), ["*100#"]);
      const store = await daemon.openStore();
      try {
        assertEquals((await store.queueDepths()).outboxQueued, 0);
      } finally {
        await store.close();
      }

      // Online again: a USSD goes through as before.
      sim.settings.ussdAnswer = "Bundle bought";
      await user.sendMessage(OWN, "*100#");
      await waitFor(
        () => user.messages.filter(isAnswer).length === 2,
        WAIT,
        "the second answer",
      );
      assertEquals(
        body(user.messages.filter(isAnswer)[1]),
        "[USSD] Bundle bought",
      );
      assertEquals(sim.ussdRequests.map((u) => u.code), ["*100#", "*100#"]);
    });
  },
);

Deno.test(
  "ussd live: a burst of SMS to an offline line gets one notice and all go out once; an online SMS none",
  async () => {
    await rig(async ({ sim, user, offline }) => {
      sim.startKeepalives(500);
      await user.sendMessage("+3725551234@" + COMPONENT, "online");
      await sim.waitForSms(1, WAIT);
      await settle(1000);
      assertEquals(user.messages.filter(isNotice), [], "no notice online");
      sim.stopKeepalives();

      await offline(1);
      const burst = [1, 2, 3, 4, 5].map((i) => `while offline ${i}`);
      for (const text of burst) {
        await user.sendMessage("+3725551234@" + COMPONENT, text);
      }
      const notice = await user.waitForMessage(isNotice, WAIT);
      assertMatch(
        body(notice),
        /^Your line is offline \(last seen \S+ \S+ UTC\); your SMS waits and goes out when the line is back, until \S+ \S+ UTC \(24 h, QUEUE_TTL\)/,
      );
      await settle(1500);
      assertEquals(user.messages.filter(isNotice).length, 1, "one notice");
      assertEquals(sim.sentSms.length, 1, "nothing sent while offline");

      // The line returns and stays: the queue drains, each SMS once.
      sim.startKeepalives(500);
      await sim.waitForSms(6, WAIT);
      await settle(1000);
      assertEquals(sim.sentSms.map((s) => s.text), ["online", ...burst]);

      // A later offline wait is a new episode: a new notice.
      sim.stopKeepalives();
      await offline(2);
      await user.sendMessage("+3725551234@" + COMPONENT, "later");
      await waitFor(
        () => user.messages.filter(isNotice).length === 2,
        WAIT,
        "a second notice",
      );
      assert(
        !user.messages.some((m) => isMsg("error")(m)),
        "no message was refused",
      );
    });
  },
);
