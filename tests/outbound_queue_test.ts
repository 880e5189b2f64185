/**
 * The outbound queue: offline lines, QUEUE_TTL expiry, sends cut short by a
 * crash (in process and with the real daemon killed), late replies, bad
 * requests, reload. Real SQLite, real UDP, the GoIP simulator.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { waitFor } from "./support/poll.ts";
import {
  GOIP_ID,
  MSISDN,
  OWN_LINE,
  PASSWORD,
  startOutboundWorld,
  texts,
  USER,
} from "./support/outbound_world.ts";

Deno.test("outbound: queued while the line is offline, sent when its keepalive returns", async () => {
  const t = await startOutboundWorld({ online: false });
  try {
    const id = await t.enqueue();
    // Several poll rounds pass with the line offline: nothing may go out.
    const other = await t.enqueue({ goipId: "goippy_9999", ext: "9999" });
    await t.waitState(other, ["failed"]);
    assertEquals((await t.store.outboxItem(id))?.state, "queued");
    assertEquals(t.sim.received.filter((d) => d.startsWith("SMS ")), []);
    await t.sim.keepalive();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    assertEquals(t.sim.sentSms.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: expires after QUEUE_TTL with an error to the user", async () => {
  const t = await startOutboundWorld({
    online: false,
    config: { QUEUE_TTL: 1 },
  });
  try {
    const id = await t.enqueue({ stanzaId: "old" });
    const row = await t.waitState(id, ["expired"]);
    const text = "SMS not sent: line offline too long (waited more than 1 s)";
    assertEquals(row.error, text);
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.toJid, i.refId, i.body]),
      [["error", USER, "old", text]],
    );
    assertEquals(t.sim.received.filter((d) => d.startsWith("SMS ")), []);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: a send cut short by a crash is reported uncertain, never resent", async () => {
  const t = await startOutboundWorld({ noDriver: true });
  try {
    const id = await t.enqueue({ body: "interrupted", stanzaId: "crash" });
    await t.store.updateOutbox(id, { state: "sending", sendid: 17 });
    const cli = await t.enqueue({
      body: "from cli",
      origin: "cli",
      fromJid: "",
    });
    await t.store.updateOutbox(cli, { state: "sending", sendid: 18 });
    t.startDriver();
    const row = await t.waitState(id, ["uncertain"]);
    assert(row.error.startsWith("outcome uncertain:"), row.error);
    const next = await t.enqueue({ body: "next" });
    await t.waitState(next, ["sent"]);
    assertEquals(t.sim.sentSms.map((s) => s.text), ["next"]);
    assertEquals((await t.store.outboxItem(cli))?.state, "uncertain");
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.toJid, i.refId, i.body]),
      [["error", USER, "crash", row.error]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound: a late OK turns an uncertain SMS into sent", async () => {
  // WAIT at once, OK only after the (shortened) overall timeout.
  const t = await startOutboundWorld({
    sim: { okDelayMs: 2500 },
    timings: { totalTimeoutMs: 1000 },
  });
  try {
    const id = await t.enqueue({ stanzaId: "slow" });
    const first = await t.waitState(id, ["uncertain", "sent"]);
    assertEquals(first.state, "uncertain");
    const row = await t.waitState(id, ["sent"]);
    assertEquals(row.smsNo, t.sim.sentSms[0].smsNo);
    assertEquals(t.sim.sentSms.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: a request that cannot be a datagram fails, nothing sent", async () => {
  const t = await startOutboundWorld();
  try {
    const a = await t.enqueue({ number: "+372 555", stanzaId: "bad1" });
    const b = await t.enqueue({
      kind: "ussd",
      number: "",
      body: "*100#\nSMS 1 1 x 1 evil",
      toJid: OWN_LINE,
      stanzaId: "bad2",
    });
    const rowA = await t.waitState(a, ["failed", "sent"]);
    const rowB = await t.waitState(b, ["failed", "sent"]);
    assertEquals(rowA.error, 'SMS not sent: "+372 555" is not a phone number');
    assertEquals(
      rowB.error,
      'USSD request not sent: "*100#\nSMS 1 1 x 1 evil" is not a USSD code (digits, *, #, +)',
    );
    const ok = await t.enqueue({ body: "fine" });
    await t.waitState(ok, ["sent"]);
    assertEquals(
      t.sim.received.filter((d) => /^(SMS|USSD) /.test(d)).length,
      1,
    );
    assertEquals(
      (await t.store.pendingInbox(10)).map((i) => [i.kind, i.refId]),
      [["error", "bad1"], ["error", "bad2"]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound: reload switches the send form for the next SMS", async () => {
  const t = await startOutboundWorld();
  try {
    await t.waitState(await t.enqueue({ body: "one" }), ["sent"]);
    t.reload({ SMS_SEND_MODE: "msg" });
    await t.waitState(await t.enqueue({ body: "two" }), ["sent"]);
    assertEquals(
      t.sim.sentSms.map((s) => [s.text, s.form]),
      [["one", "sms"], ["two", "session"]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound through the daemon: SIGKILL mid-send is uncertain after restart, never resent", async () => {
  const d = await startDaemon({
    gateways: [{ ext: "2001", password: PASSWORD }],
    config: { XMPP_DOMAIN: "example.org" },
  });
  const sim = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: d.udpPort },
    id: GOIP_ID,
    password: PASSWORD,
    num: MSISDN,
    // The module transmits the SMS but the GoIP never answers: the daemon
    // is still waiting when it is killed.
    smsBehaviour: "sent-silent",
  });
  const store = await d.openStore();
  try {
    await sim.keepalive();
    const item = {
      ext: "2001",
      goipId: GOIP_ID,
      kind: "sms" as const,
      number: "+3725551234",
      fromJid: USER,
      toJid: "+3725551234@sms.example.org",
      wantReceipt: false,
      origin: "xmpp" as const,
    };
    const id = await store.enqueueOutbox({
      ...item,
      body: "first",
      stanzaId: "k1",
    });
    await sim.waitForSms(1, 15_000);
    await d.kill();
    assertEquals((await store.outboxItem(id))?.state, "sending");
    sim.smsBehaviour = "ok";
    await d.restart();
    await sim.keepalive();
    const second = await store.enqueueOutbox({
      ...item,
      body: "second",
      stanzaId: "k2",
    });
    await waitFor(
      async () => (await store.outboxItem(second))?.state === "sent",
      15_000,
      () => `the second SMS sent; daemon log:\n${d.logs()}`,
    );
    const row = await store.outboxItem(id);
    assertEquals(row?.state, "uncertain");
    assert(row.error.startsWith("outcome uncertain:"), row.error);
    assertEquals(texts(sim.sentSms), ["first", "second"]);
    const errors = (await store.pendingInbox(10)).filter((i) =>
      i.kind === "error"
    );
    assertEquals(errors.map((i) => [i.refId, i.toJid]), [["k1", USER]]);
  } finally {
    await store.close();
    await sim.close();
    await d.stop();
  }
});
