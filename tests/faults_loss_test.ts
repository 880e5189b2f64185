/**
 * Fault 4: 20 % of the datagrams between the GoIP simulator and goippy are
 * lost, in both directions (seeded). Real daemon, real Prosody, real users.
 * - 500 incoming SMS: all delivered, each once. (The simulated device resends
 *   up to 10 times, 0.5 s apart, instead of a real GoIP's 3 times 3 s apart,
 *   so that every SMS gets through the lossy link: 0.36⁴ ≈ 1.7 % would
 *   otherwise never be acked by anyone. What is proven — acked means stored,
 *   stored means delivered once — depends on neither.)
 * - 200 outgoing SMS (200 lines × 1, so the sender's 60 s "no final answer"
 *   limits run in parallel): each is transmitted by the device at most once;
 *   one that was not transmitted is reported to its user as failed or
 *   uncertain — never sent twice. (While goippy still resent the SMS packet
 *   after 5 s of silence, 9 of 200 went out twice here, at 40 lines × 5.)
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  chatBodies,
  cloneAccounts,
  COMPONENT,
  DOMAIN,
  errorsById,
  errorText,
  EXT,
  receiveStream,
  startRig,
  tally,
  USER_PASS,
} from "./support/fault_rig.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import type { XmppUser } from "./support/xmpp_user.ts";
import { waitFor } from "./support/poll.ts";

const LOSS = 0.2;

Deno.test("fault 4a: 20 % loss both ways: 500 SMS in, all delivered once", async () => {
  const rig = await startRig({
    sim: { dropRate: LOSS, seed: 4, retransmitMs: 500, retransmits: 10 },
  });
  try {
    const { sim } = rig;
    const user = rig.user!;
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    const acked = await receiveStream(sim, 10, 50);
    assertEquals([...acked.values()].filter((a) => a).length, 500);
    await waitFor(
      () => chatBodies(user).length >= 500,
      60_000,
      () => `500 messages (have ${chatBodies(user).length})`,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const bodies = chatBodies(user);
    assertEquals(bodies.length, 500);
    assertEquals(new Set(bodies).size, 500);
    ok(sim.droppedIn > 0 && sim.droppedOut > 0, "loss happened");
    console.log(
      `fault 4a: 500 acked, 500 delivered once; lost to goippy ` +
        `${sim.droppedOut}, lost from goippy ${sim.droppedIn}, ` +
        `datagrams sent by the device ${sim.sent.length}`,
    );
  } finally {
    await rig.close();
  }
});

const LINES = 200;
const PER_LINE = 1;

Deno.test("fault 4b: 20 % loss both ways: 200 SMS out, none transmitted twice, the rest reported", async () => {
  const rig = await startRig({ user: false });
  const sims: GoipSim[] = [];
  const users: XmppUser[] = [];
  try {
    const { daemon, prosody } = rig;
    const t0 = Date.now();
    const phases: string[] = [];
    const phase = (what: string) =>
      phases.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const store = await daemon.openStore();
    try {
      for (let i = 0; i < LINES; i++) {
        await store.addGateway({
          ext: `${3000 + i}`,
          goipPass: `gw${i}`,
          goipId: `loss_${i}`,
        });
      }
    } finally {
      await store.close();
    }
    await cloneAccounts(
      prosody,
      EXT,
      Array.from({ length: LINES }, (_, i) => `${3000 + i}`),
    );
    for (let b = 0; b < LINES; b += 20) {
      const batch = Array.from({ length: 20 }, (_, k) => b + k);
      users.push(
        ...await Promise.all(
          batch.map((i) => rig.connectUser(`${3000 + i}`, USER_PASS)),
        ),
      );
    }
    for (let i = 0; i < LINES; i++) {
      const sim = await GoipSim.start({
        server: { hostname: "127.0.0.1", port: daemon.udpPort },
        id: `loss_${i}`,
        password: `gw${i}`,
        num: `+3725560${String(i).padStart(4, "0")}`,
        dropRate: LOSS,
        seed: 100 + i,
        retransmitMs: 1000,
        retransmits: 10,
      });
      sims.push(sim);
      sim.startKeepalives(3000);
    }
    phase("users and lines up");
    // Every line online (keepalives are lost too: wait for the state).
    await waitFor(
      () => sims.every((s) => s.keepaliveReplies.length > 0),
      60_000,
      "a keepalive answered on every line",
    );
    phase("lines online");
    // Each user sends through their own line, all lines at once.
    const sent: { line: number; id: string; text: string }[] = [];
    for (let j = 0; j < PER_LINE; j++) {
      for (let i = 0; i < LINES; i++) {
        const text = `line ${i} sms ${j}`;
        const id = await users[i].sendMessage(
          `+37256${String(10000 + i * 10 + j)}@${COMPONENT}`,
          text,
        );
        sent.push({ line: i, id, text });
      }
    }
    const check = await daemon.openStore();
    try {
      let depths = {};
      await waitFor(
        async () => {
          // Done when each SMS went out or was reported, and nothing is
          // queued or in flight (an SMS out may still turn "uncertain").
          const settled = sent.every((m) =>
            sims[m.line].sentSms.some((x) => x.text === m.text) ||
            errorsById(users[m.line]).has(m.id)
          );
          const d = await check.queueDepths();
          depths = d;
          return settled && d.outboxQueued + d.outboxSending === 0;
        },
        300_000,
        () => `the outbox drained (${JSON.stringify(depths)})`,
        500,
      );
    } finally {
      await check.close();
    }
    phase("outbox drained");
    await new Promise((r) => setTimeout(r, 3000));

    let once = 0, onceUncertain = 0, notSentReported = 0;
    const twice: string[] = [];
    const silentLoss: string[] = [];
    for (const m of sent) {
      const n = sims[m.line].sentSms.filter((s) => s.text === m.text).length;
      const errs = errorsById(users[m.line]).get(m.id) ?? [];
      if (n > 1) twice.push(`${m.text} ×${n}`);
      if (n === 0 && errs.length === 0) silentLoss.push(m.text);
      if (n === 1 && errs.length === 0) once++;
      if (n === 1 && errs.length > 0) onceUncertain++;
      if (n === 0 && errs.length > 0) notSentReported++;
      for (const e of errs) {
        ok(/not sent|uncertain/.test(errorText(e)), errorText(e));
      }
    }
    console.log(
      `fault 4b: 200 out: transmitted once ${once}, transmitted once but ` +
        `reported uncertain ${onceUncertain}, not transmitted and reported ` +
        `${notSentReported}, transmitted twice ${twice.length}, lost ` +
        `silently ${silentLoss.length}; lost datagrams ` +
        `${sims.reduce((a, s) => a + s.droppedIn + s.droppedOut, 0)}; ` +
        phases.join(", "),
    );
    assertEquals(twice, [], "never transmitted twice");
    assertEquals(silentLoss, [], "every SMS not transmitted is reported");
    assertEquals(once + onceUncertain + notSentReported, 200);
    assertEquals(tally(users.map((u) => u.bareJid)).size, LINES);
    ok(users.every((u) => u.bareJid.endsWith(`@${DOMAIN}`)));
  } finally {
    for (const s of sims) s.stopKeepalives();
    for (const u of users) await u.stop();
    for (const s of sims) await s.close();
    await rig.close();
  }
});
