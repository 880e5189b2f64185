/**
 * The outbound sender, USSD and CLI-origin items: answers to the inbox from
 * the own line, USSDERROR, silence with one resend, late answers. Real
 * SQLite, real UDP, the GoIP simulator.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  OWN_LINE,
  startOutboundWorld,
  USER,
} from "./support/outbound_world.ts";

Deno.test("outbound: USSD round trip, answer to the inbox from the own line", async () => {
  const t = await startOutboundWorld({
    sim: { ussdAnswer: "Balance 5.00 EUR", ussdPadding: 3 },
  });
  try {
    const id = await t.enqueue({
      kind: "ussd",
      number: "",
      body: "*100#",
      toJid: OWN_LINE,
      stanzaId: "u1",
    });
    const row = await t.waitState(id, ["sent", "failed"]);
    assertEquals([row.state, row.result], ["sent", "Balance 5.00 EUR"]);
    assertEquals(t.sim.ussdRequests.map((u) => u.code), ["*100#"]);
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.fromJid, i.toJid, i.body]),
      [["chat", OWN_LINE, USER, "[USSD] Balance 5.00 EUR"]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound: USSD error and USSD silence come back as errors", async () => {
  const t = await startOutboundWorld({
    sim: { ussdBehaviour: "error", ussdError: "network_busy" },
    timings: { ussdResendMs: 300, ussdTimeoutMs: 1500 },
  });
  try {
    const ussd = { kind: "ussd" as const, number: "", toJid: OWN_LINE };
    const a = await t.enqueue({ ...ussd, body: "*100#", stanzaId: "e1" });
    const rowA = await t.waitState(a, ["sent", "failed"]);
    assertEquals(rowA.error, "USSD failed: network_busy");
    t.sim.ussdBehaviour = "silent";
    const b = await t.enqueue({ ...ussd, body: "*101#", stanzaId: "e2" });
    const rowB = await t.waitState(b, ["sent", "failed"]);
    assertEquals(
      rowB.error,
      "USSD failed: no answer from the network within 2 s",
    );
    // One resend, same sendid, never more.
    assertEquals(
      t.sim.ussdRequests.filter((u) => u.code === "*101#").length,
      2,
    );
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.refId, i.fromJid]),
      [["error", "e1", OWN_LINE], ["error", "e2", OWN_LINE]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound: a late USSD answer still reaches the user, once", async () => {
  const t = await startOutboundWorld({
    sim: { ussdDelayMs: 1500, ussdAnswer: "Late balance" },
    timings: { ussdResendMs: 300, ussdTimeoutMs: 1000 },
  });
  try {
    const id = await t.enqueue({
      kind: "ussd",
      number: "",
      body: "*100#",
      toJid: OWN_LINE,
      stanzaId: "u9",
    });
    const first = await t.waitState(id, ["failed", "sent"]);
    assertEquals(first.state, "failed");
    const row = await t.waitState(id, ["sent"]);
    assertEquals(row.result, "Late balance");
    // Both requests (first and resend) got an answer; only one is passed on.
    await t.sim.waitFor(
      () => t.logs.some((l) => /ussd for sendid \d+ not in flight/.test(l)),
      5000,
      "the second answer to be dropped",
    );
    const inbox = await t.store.pendingInbox(10);
    assertEquals(inbox.map((i) => [i.kind, i.body]), [
      ["error", "USSD failed: no answer from the network within 1 s"],
      ["chat", "[USSD] Late balance"],
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: CLI items only update their row", async () => {
  const t = await startOutboundWorld();
  try {
    const id = await t.enqueue({ origin: "cli", fromJid: "", toJid: "" });
    const u = await t.enqueue({
      origin: "cli",
      fromJid: "",
      toJid: "",
      kind: "ussd",
      number: "",
      body: "*100#",
    });
    assertEquals((await t.waitState(id, ["sent", "failed"])).state, "sent");
    const row = await t.waitState(u, ["sent", "failed"]);
    assertEquals(row.result, "Your balance is 5.00 EUR");
    assertEquals(await t.store.pendingInbox(10), []);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: a queued USSD older than USSD_TTL fails without being dialled, online or not", async () => {
  const t = await startOutboundWorld({
    online: false,
    config: { USSD_TTL: 1 },
  });
  try {
    const ussd = { kind: "ussd" as const, number: "", toJid: OWN_LINE };
    // Accepted just before the line dropped: it must not wait for the line.
    const a = await t.enqueue({ ...ussd, body: "*123*1#", stanzaId: "s1" });
    const stale =
      "USSD not sent within 1 s; nothing was dialled. USSD codes are never run late: send it again if it is still wanted.";
    assertEquals((await t.waitState(a, ["failed", "sent"])).error, stale);
    await t.sim.keepalive();
    // Queued behind an SMS that holds the line longer than USSD_TTL: the
    // SMS goes, the USSD does not.
    t.sim.settings.okDelayMs = 1500;
    const sms = await t.enqueue({ stanzaId: "s2" });
    const b = await t.enqueue({ ...ussd, body: "*123*2#", stanzaId: "s3" });
    assertEquals((await t.waitState(sms, ["sent", "failed"])).state, "sent");
    assertEquals((await t.waitState(b, ["failed", "sent"])).error, stale);
    assertEquals(t.sim.ussdRequests, []);
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.refId, i.fromJid, i.body]),
      [["error", "s1", OWN_LINE, stale], ["error", "s3", OWN_LINE, stale]],
    );
  } finally {
    await t.close();
  }
});
