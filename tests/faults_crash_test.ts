/**
 * goippy SIGKILLed, with the real daemon, a real Prosody, a real user and a
 * simulated GoIP channel:
 * 2. killed in the middle of 1,000 incoming SMS, restarted on the same
 *    database: every SMS the device saw acknowledged is delivered, and with
 *    the device's retransmissions all 1,000 are. The deliverer is
 *    at-least-once across a crash (docs/architecture.md, rule 4): a duplicate at the client
 *    can only be a message that was handed to Prosody but not yet confirmed
 *    when goippy died; they are counted and printed.
 * 6. killed while an outgoing SMS was handed to the device but not
 *    confirmed: after the restart it is not sent again and the user is told
 *    its outcome is uncertain.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  chatBodies,
  COMPONENT,
  errorsById,
  errorText,
  receiveStream,
  startRig,
  tally,
} from "./support/fault_rig.ts";
import { waitFor } from "./support/poll.ts";

Deno.test("fault 2: SIGKILL in the middle of 1,000 SMS in: nothing lost, duplicates only from the unconfirmed window", async () => {
  // A device's resends (3 s, 3 times) cover the daemon's restart.
  const rig = await startRig({ sim: { retransmitMs: 3000, retransmits: 3 } });
  try {
    const { sim, daemon } = rig;
    const user = rig.user!;
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    const ackedBeforeKill = new Set<string>();
    let killed = false;
    let acks = 0;
    const stream = receiveStream(sim, 10, 100, (body) => {
      acks++;
      if (!killed) ackedBeforeKill.add(body);
    });
    await waitFor(() => acks >= 300, 60_000, () => `300 acks (have ${acks})`);
    await daemon.kill();
    killed = true;
    const ackedAtKill = ackedBeforeKill.size;
    await daemon.restart();
    const acked = await stream;
    const ackedCount = [...acked.values()].filter((a) => a).length;
    assertEquals(ackedCount, 1000, "with retransmissions all 1,000 acked");

    await waitFor(
      () => new Set(chatBodies(user)).size >= 1000,
      120_000,
      () => `1000 distinct messages (have ${new Set(chatBodies(user)).size})`,
    );
    await new Promise((r) => setTimeout(r, 3000));
    const bodies = chatBodies(user);
    const counts = tally(bodies);
    assertEquals(counts.size, 1000, "every SMS delivered");
    for (const [body, ok_] of acked) {
      ok(ok_ && counts.has(body), `${body} acked and delivered`);
    }
    const doubled = [...counts].filter(([, n]) => n > 1).map(([b]) => b);
    // At-least-once across the crash: only messages already stored (acked)
    // before the kill can come twice, and each at most twice.
    for (const b of doubled) {
      ok(ackedBeforeKill.has(b), `${b} doubled but stored after the restart`);
      assertEquals(counts.get(b), 2, b);
      // Both copies carry the same stanza id: a client can drop the second.
      const ids = user.messages
        .filter((m) => m.getChildText("body") === b)
        .map((m) => m.attrs.id);
      assertEquals(ids.length, 2);
      ok(ids[0] && ids[0] === ids[1], `${b}: ids ${ids}`);
    }
    console.log(
      `fault 2: acked before kill ${ackedAtKill}, acked total ${ackedCount}, ` +
        `delivered ${counts.size} distinct / ${bodies.length} stanzas, ` +
        `doubled at the client ${doubled.length}, ` +
        `device resends ${sim.sent.length - 1001}`,
    );
  } finally {
    await rig.close();
  }
});

Deno.test("fault 6: SIGKILL while an SMS is with the device unconfirmed: not resent, user told 'uncertain'", async () => {
  const rig = await startRig({ sim: { smsBehaviour: "sent-silent" } });
  try {
    const { sim, daemon } = rig;
    const user = rig.user!;
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    const id = await user.sendMessage(`+3725551234@${COMPONENT}`, "first");
    await sim.waitForSms(1, 15_000);
    await daemon.kill();
    sim.smsBehaviour = "ok";
    await daemon.restart();
    await sim.keepalive();
    const err = await user.waitForMessage(
      (m) => m.attrs.type === "error" && m.attrs.id === id,
      30_000,
    );
    ok(/uncertain/.test(errorText(err)), errorText(err));
    // The line works, and the interrupted SMS is not sent again.
    const id2 = await user.sendMessage(`+3725551234@${COMPONENT}`, "second");
    await sim.waitForSms(2, 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    assertEquals(sim.sentSms.map((s) => s.text), ["first", "second"]);
    assertEquals(errorsById(user).get(id)?.length, 1);
    assertEquals(errorsById(user).get(id2), undefined);
  } finally {
    await rig.close();
  }
});
