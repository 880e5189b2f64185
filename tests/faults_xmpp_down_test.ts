/**
 * Faults on the XMPP side, with the real daemon, a real Prosody, a real user
 * and a simulated GoIP channel:
 * 1. 1,000 incoming SMS while Prosody is stopped, then started: all 1,000
 *    delivered, none twice, in order per sender.
 * 5. Prosody restarted while 200 outgoing SMS are queued (line offline, then
 *    online): each transmitted by the device exactly once.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  bodiesFrom,
  chatBodies,
  COMPONENT,
  errorsById,
  receiveStream,
  senderNumber,
  startRig,
  tally,
} from "./support/fault_rig.ts";
import { numberToJid } from "../src/xmpp/jid.ts";
import { waitFor } from "./support/poll.ts";

const SENDERS = 10;
const PER_SENDER = 100;

Deno.test("fault 1: 1,000 SMS in while Prosody is down: all delivered once, in order per sender", async () => {
  const rig = await startRig();
  try {
    const { sim, prosody } = rig;
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    await rig.user!.stop();
    await prosody.pause();

    const acked = await receiveStream(sim, SENDERS, PER_SENDER);
    assertEquals([...acked.values()].filter((a) => a).length, 1000);

    await prosody.resume();
    const user = await rig.connectUser();
    await waitFor(
      () => chatBodies(user).length >= 1000,
      120_000,
      () => `1000 messages (have ${chatBodies(user).length})`,
    );
    // Anything doubled would come right behind: give it a moment.
    await new Promise((r) => setTimeout(r, 2000));
    const bodies = chatBodies(user);
    assertEquals(bodies.length, 1000);
    assertEquals([...tally(bodies).values()].filter((n) => n > 1).length, 0);
    for (let s = 0; s < SENDERS; s++) {
      const from = numberToJid(senderNumber(s), COMPONENT);
      assertEquals(
        bodiesFrom(user, from),
        Array.from({ length: PER_SENDER }, (_, j) => `s${s} m${j}`),
        `order of sender ${s}`,
      );
    }
    // They waited in the queue: each carries a XEP-0203 delay stamp.
    const stamped = user.messages.filter((m) =>
      m.getChild("delay", "urn:xmpp:delay") !== undefined
    ).length;
    assertEquals(stamped, 1000);
    assertEquals(sim.violations, []);
  } finally {
    await rig.close();
  }
});

Deno.test("fault 5: Prosody restarted while 200 outgoing SMS are queued: each sent once", async () => {
  const rig = await startRig({ config: { GOIP_OFFLINE_AFTER: 3 } });
  try {
    const { sim, prosody } = rig;
    const user = rig.user!;
    // The line never sent a keepalive: it is offline, the outbox queues.
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      ids.push(
        await user.sendMessage(
          `+3725551${String(i).padStart(3, "0")}@${COMPONENT}`,
          `out ${i}`,
        ),
      );
    }
    // Every message is in the outbox before Prosody goes away.
    const store = await rig.daemon.openStore();
    try {
      let queued = 0;
      await waitFor(
        async () => (queued = (await store.queueDepths()).outboxQueued) >= 200,
        30_000,
        () => `200 queued (have ${queued})`,
        100,
      );
      assertEquals(queued, 200);
    } finally {
      await store.close();
    }
    await user.stop();
    await prosody.restart();
    const again = await rig.connectUser();
    await rig.daemon.waitForLog(
      /XMPP: connected[^\n]*\n[\s\S]*XMPP: connected/,
      30_000,
    );
    // Now the line comes online and drains the queue.
    sim.startKeepalives(1000);
    await sim.waitForSms(200, 120_000);
    await new Promise((r) => setTimeout(r, 2000));
    const texts = sim.sentSms.map((s) => s.text);
    assertEquals(texts.length, 200);
    assertEquals([...tally(texts).values()].filter((n) => n > 1).length, 0);
    assertEquals(new Set(texts).size, 200);
    assertEquals(errorsById(user).size + errorsById(again).size, 0);
    assertEquals(sim.violations, []);
  } finally {
    rig.sim.stopKeepalives();
    await rig.close();
  }
});
