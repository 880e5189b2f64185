/**
 * The outbound sender, SMS: in process with a real SQLite store, the real UDP
 * endpoint and the GoIP simulator as the device (both send forms, WAIT, OK,
 * ERROR, silence, GSM_LOGOUT, SENDID, one SMS at a time per line). Timings are
 * shortened through `startOutbound`'s options; no test asserts a duration.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import {
  PASSWORD,
  startOutboundWorld,
  USER,
} from "./support/outbound_world.ts";

Deno.test("outbound: SMS out, one-packet form", async () => {
  const t = await startOutboundWorld();
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    assertEquals(t.sim.sentSms.length, 1);
    const sms = t.sim.sentSms[0];
    assertEquals(
      [sms.form, sms.number, sms.text, sms.telid],
      ["sms", "+3725551234", "Hello; it's me: ünïcode ✓", id],
    );
    assertEquals(row.smsNo, sms.smsNo);
    assertEquals(row.sendid, sms.sendid);
    assertEquals(row.attempts, 1);
    assertEquals(t.sim.violations, []);
    assertEquals(await t.store.pendingInbox(10), []);
    assert(!t.logs.some((l) => l.includes(PASSWORD)), "password in the log");
  } finally {
    await t.close();
  }
});

Deno.test("outbound: SMS out, session form MSG/PASSWORD/SEND/DONE", async () => {
  const t = await startOutboundWorld({ config: { SMS_SEND_MODE: "msg" } });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    assertEquals(t.sim.sentSms.length, 1);
    assertEquals(t.sim.sentSms[0].form, "session");
    assertEquals(t.sim.sentSms[0].text, "Hello; it's me: ünïcode ✓");
    assertEquals(row.smsNo, t.sim.sentSms[0].smsNo);
    await t.sim.waitForReceived((d) => d === `DONE ${row.sendid}\n`, 5000);
    assertEquals(t.sim.violations, []);
    assert(!t.logs.some((l) => l.includes(PASSWORD)), "password in the log");
  } finally {
    await t.close();
  }
});

Deno.test("outbound: WAIT, WAIT, WAIT, long pause, OK: exactly one SMS at the device", async () => {
  // WAITs 300 ms apart, then 2.5 s of silence before OK: longer than the
  // 1 s silence rule, which must not apply once the GoIP said WAIT.
  const t = await startOutboundWorld({
    sim: {
      smsBehaviour: "wait-long",
      waitCount: 3,
      waitIntervalMs: 300,
      okDelayMs: 2500,
    },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    assertEquals(t.sim.sentSms.length, 1);
    const smsPackets = t.sim.received.filter((d) => d.startsWith("SMS "));
    assertEquals(smsPackets.length, 1);
    assertEquals(t.sim.violations, []);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: old firmware OK without sms_no is sent", async () => {
  const t = await startOutboundWorld({ sim: { smsBehaviour: "no-sms-no" } });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals([row.state, row.smsNo], ["sent", null]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: device ERROR fails the SMS and tells the user", async () => {
  const t = await startOutboundWorld({ sim: { smsBehaviour: "error" } });
  try {
    const id = await t.enqueue({ stanzaId: "msg-42" });
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "failed");
    const text =
      "SMS not sent: the GSM network refused it: unassigned (unallocated) number (errorstatus:1)";
    assertEquals(row.error, text);
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.fromJid, i.toJid, i.refId, i.body]),
      [["error", "+3725551234@sms.example.org", USER, "msg-42", text]],
    );
    assertEquals(t.sim.sentSms.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: complete silence: the SMS packet is never resent, uncertain", async () => {
  const seen: number[] = [];
  const t = await startOutboundWorld({
    sim: {
      smsBehaviour: (s) => {
        seen.push(s.count);
        return "silent";
      },
    },
    timings: { silenceMs: 300, totalTimeoutMs: 2000 },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "uncertain");
    assertEquals(seen, [1]);
    const text =
      "outcome uncertain: the GoIP never answered within 2 s; it may or may not have sent it";
    assertEquals(row.error, text);
    const inbox = await t.store.pendingInbox(10);
    assertEquals(inbox.map((i) => [i.kind, i.body]), [["error", text]]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: session form, silent GoIP: MSG resent at most twice, failed, no text sent", async () => {
  const t = await startOutboundWorld({
    config: { SMS_SEND_MODE: "msg" },
    sim: { smsBehaviour: "silent" },
    timings: { silenceMs: 300, totalTimeoutMs: 2000 },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "failed");
    assertEquals(row.error, "SMS not sent: no answer from the GoIP within 2 s");
    const sent = t.sim.received.filter((d) => /^(MSG|SEND|PASSWORD) /.test(d));
    assertEquals(sent.map((d) => d.split(" ")[0]), ["MSG", "MSG", "MSG"]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: GSM_LOGOUT puts the SMS back in the queue; it goes later", async () => {
  let calls = 0;
  const t = await startOutboundWorld({
    sim: { smsBehaviour: () => calls++ === 0 ? "gsm-logout" : "ok" },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals([row.state, row.attempts, row.error], ["sent", 2, ""]);
    assertEquals(t.sim.sentSms.length, 1);
    assertEquals(await t.store.pendingInbox(10), []);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: ERROR SENDID restarts with a new, higher sendid", async () => {
  let calls = 0;
  const t = await startOutboundWorld({
    sim: { smsBehaviour: () => calls++ === 0 ? "sendid-error" : "ok" },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    const sids = t.sim.received.filter((d) => d.startsWith("SMS ")).map((d) =>
      Number(d.split(" ")[1])
    );
    assertEquals(sids.length, 2);
    assert(sids[1] > sids[0], `sendids ${sids}`);
    assertEquals(t.sim.sentSms.map((s) => s.sendid), [sids[1]]);
    assertEquals(row.sendid, sids[1]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: one SMS at a time per line", async () => {
  const t = await startOutboundWorld({
    noDriver: true,
    sim: { smsBehaviour: "wait-long", waitCount: 2, okDelayMs: 400 },
  });
  try {
    const a = await t.enqueue({ body: "first", stanzaId: "a" });
    const b = await t.enqueue({ body: "second", stanzaId: "b" });
    t.startDriver();
    const rowB = await t.waitState(b, ["sent", "failed", "uncertain"]);
    const rowA = await t.waitState(a, ["sent"]);
    assertEquals(rowB.state, "sent");
    assertEquals(t.sim.sentSms.map((s) => s.text), ["first", "second"]);
    // The second reached the device only after the first was confirmed.
    assert(t.sim.sentSms[1].at >= rowA.updatedMs, "second sent before OK");
    assert(rowB.sendid! > rowA.sendid!, "sendids increase");
  } finally {
    await t.close();
  }
});
