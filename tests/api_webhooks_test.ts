/**
 * Webhooks through the real daemon: every event kind reaches a local
 * receiver signed and with its id; a receiver answering 500 or down gets
 * every event later, in order; events written just before a kill -9 are
 * delivered after the restart.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { waitFor } from "./support/poll.ts";
import { freeTcpPort } from "./support/ports.ts";
import { apiClient } from "./support/api_client.ts";
import { WebhookReceiver } from "./support/webhook_receiver.ts";
import {
  haveMariaDb,
  type MariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";

async function story(mysql?: MariaDb) {
  const apiPort = freeTcpPort();
  const receiver = new WebhookReceiver(freeTcpPort(), "hook-secret");
  receiver.up();
  const d = await startDaemon({
    dbBackend: mysql ? "mysql" : "sqlite",
    mysql,
    config: {
      API_BIND: `127.0.0.1:${apiPort}`,
      API_RATE_PER_MIN: 10_000,
      WEBHOOKS: [{
        url: receiver.url,
        events: ["*"],
        secret: "hook-secret",
      }],
    },
    gateways: [{ ext: "2001", password: "pw1" }],
  });
  const sim = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: d.udpPort },
    id: "goippy_2001",
    password: "pw1",
    num: "+3725550001",
    retransmitMs: 500,
  });
  try {
    const tok = await d.cli(["--token-add", "ops"]);
    const token = tok.stdout.trim();
    const api = apiClient(`http://127.0.0.1:${apiPort}`);
    await waitFor(
      async () => (await sim.keepalive()).includes("status:200"),
      15_000,
      "keepalive accepted",
      200,
    );

    // One of each, the first two answered 500 before they are taken.
    receiver.failNext = 2;
    const sent = await api("POST", "/api/v1/sms", {
      token,
      body: { line: "2001", to: "+3725551234", text: "hello" },
    });
    assertEquals(sent.status, 202);
    await sim.waitForSms(1, 15_000);
    await waitFor(
      () => receiver.find("sms.sent") !== undefined,
      20_000,
      "sms.sent delivered",
    );
    const smsNo = receiver.find("sms.sent")!.data.sms_no;
    await sim.deliver(smsNo, 0, "+3725551234");
    await sim.receive("+3725559999", "incoming one");
    sim.settings.ussdAnswer = "Balance 5";
    await api("POST", "/api/v1/ussd", {
      token,
      body: { line: "2001", code: "*100#" },
    });
    await sim.record(1, "+3725557777");
    await waitFor(
      () =>
        ["sms.delivered", "sms.received", "ussd.received", "call.incoming"]
          .every((e) => receiver.find(e)),
      20_000,
      "every event kind delivered",
    );
    assert(receiver.refused >= 2, "the 500s were retried");
    assertEquals(receiver.find("line.online")!.data.line, "2001");
    assertEquals(receiver.find("sms.sent")!.data.id, sent.json.id);
    assertEquals(receiver.find("sms.delivered")!.data.state, "delivered");
    assertEquals(receiver.find("sms.received")!.data, {
      message_id: receiver.find("sms.received")!.data.message_id,
      line: "2001",
      from: "+3725559999",
      text: "incoming one",
      received: receiver.find("sms.received")!.data.received,
    });
    assertEquals(receiver.find("ussd.received")!.data.answer, "Balance 5");
    assertEquals(receiver.find("call.incoming")!.data.from, "+3725557777");
    assert(receiver.accepted.every((r) => r.signatureOk), "all signed");
    assert(receiver.accepted.every((r) => r.eventIdHeader === String(r.id)));

    // Receiver down: events wait; then kill -9 before they are delivered.
    await receiver.down();
    for (let i = 0; i < 5; i++) {
      await sim.receive("+3725558888", `while down ${i}`);
    }
    await d.kill();
    receiver.up();
    await d.restart();
    await waitFor(
      () =>
        [0, 1, 2, 3, 4].every((i) =>
          receiver.find("sms.received", (x) => x.text === `while down ${i}`)
        ),
      30_000,
      "events written before the kill delivered after the restart",
    );
    const ids = receiver.ids();
    assertEquals(
      ids,
      [...ids].sort((a, b) => a - b),
      "delivered in event order",
    );
    assertEquals(
      ids,
      Array.from({ length: ids.length }, (_, i) => ids[0] + i),
      "no event id skipped",
    );
  } catch (err) {
    console.error(d.logs());
    throw err;
  } finally {
    await sim.close();
    await d.stop();
    await receiver.down();
  }
}

Deno.test("webhooks: every event, signed, at least once and in order across 500s, an outage and a kill -9 (SQLite)", () =>
  story());

Deno.test({
  name:
    "webhooks: every event, signed, at least once and in order across 500s, an outage and a kill -9 (MariaDB)",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  async fn() {
    const db = await startMariaDb();
    if (!db) throw new Error(MARIADB_MISSING);
    try {
      await story(db);
    } finally {
      await db.stop();
    }
  },
});

Deno.test("webhooks: a --send the command line withdraws at its timeout is reported as sms.failed", async () => {
  const receiver = new WebhookReceiver(freeTcpPort(), "hook-secret");
  receiver.up();
  const d = await startDaemon({
    config: {
      WEBHOOKS: [{ url: receiver.url, events: ["*"], secret: "hook-secret" }],
    },
    gateways: [{ ext: "2001", password: "pw1" }],
  });
  try {
    // No GoIP: the line stays offline, nobody takes the SMS.
    const r = await d.cli([
      "--send",
      "2001",
      "+3725551234",
      "hi",
      "--timeout",
      "0.5",
    ]);
    assertEquals(r.code, 2, r.stderr);
    await waitFor(
      () => receiver.find("sms.failed") !== undefined,
      15_000,
      "the withdrawal delivered",
    );
    const data = receiver.find("sms.failed")!.data;
    assertEquals([data.origin, data.state], ["cli", "failed"]);
    assert(String(data.error).startsWith("withdrawn"), String(data.error));
  } catch (err) {
    console.error(d.logs());
    throw err;
  } finally {
    await d.stop();
    await receiver.down();
  }
});
