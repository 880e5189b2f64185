/**
 * Replies to a send in flight while the database is away: a real MariaDB
 * stopped after the USSD request (or the SMS) went to the GoIP simulator
 * and before its answer (`USSD …`, `OK …`, device-like delays) came back.
 * The outcome goes to the local spool; when MariaDB is back the row ends as
 * the answer says and the XMPP user is told once; the SMS went out once.
 * And kill -9 of goippy with such an outcome in the spool, restarted while
 * MariaDB is still away (`/health` then answers 503 "waiting"): the outcome
 * is replayed, never taken for an interrupted send.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import mysql from "mysql2/promise";
import {
  chatBodies,
  COMPONENT,
  errorsById,
  LINE_NUM,
  type Rig,
  startRig,
} from "./support/fault_rig.ts";
import {
  type MariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import { waitFor } from "./support/poll.ts";
import { freeTcpPort } from "./support/ports.ts";

const OWN = `${LINE_NUM}@${COMPONENT}`;
const ANSWER = "Balance 5.00 EUR";
const isAnswer = (b: string) => b === `[USSD] ${ANSWER}`;

async function outboxRows(
  maria: MariaDb,
  database: string,
): Promise<Record<string, unknown>[]> {
  const c = await mysql.createConnection({
    host: maria.host,
    port: maria.port,
    user: maria.user,
    password: maria.password,
    database,
  });
  try {
    const [rows] = await c.query(
      "SELECT id, kind, state, sms_no, result_text AS result FROM goippy_outbox ORDER BY id",
    );
    return rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

async function withRig(
  name: string,
  fn: (rig: Rig, maria: MariaDb, db: string, metricsPort: number) => Promise<
    void
  >,
): Promise<void> {
  const maria = await startMariaDb();
  if (!maria) {
    console.log(MARIADB_MISSING);
    return;
  }
  try {
    const db = await maria.createDatabase(name);
    const metricsPort = freeTcpPort();
    const rig = await startRig({
      dbBackend: "mysql",
      mysql: { ...maria, database: db },
      sim: { retransmitMs: 3000, retransmits: 3 },
      config: { METRICS_BIND: `127.0.0.1:${metricsPort}` },
    });
    try {
      await rig.sim.keepalive();
      rig.sim.startKeepalives(1000);
      await fn(rig, maria, db, metricsPort);
    } catch (err) {
      console.error(rig.daemon.logs());
      throw err;
    } finally {
      rig.sim.stopKeepalives();
      await rig.close();
    }
  } finally {
    await maria.stop();
  }
}

/** Send a USSD code from the user and stop MariaDB before the answer comes. */
async function ussdThenOutage(rig: Rig, maria: MariaDb): Promise<void> {
  const { sim, daemon } = rig;
  sim.settings.ussdAnswer = ANSWER;
  // Well inside the sender's 10 s before its one resend; long enough for
  // MariaDB to stop first.
  sim.settings.ussdDelayMs = 7000;
  await rig.user!.sendMessage(OWN, "*100#");
  await waitFor(() => sim.ussdRequests.length === 1, 15_000, "USSD sent");
  await maria.pause();
  await daemon.waitForLog(/spooling them to/, 15_000);
  ok(!chatBodies(rig.user!).some(isAnswer), "no answer while away");
}

Deno.test("spool: a USSD answer that arrives while MariaDB is away reaches the user once when it is back", async () => {
  await withRig("spool_ussd", async (rig, maria, db, metricsPort) => {
    const user = rig.user!;
    await ussdThenOutage(rig, maria);
    const health = await fetch(`http://127.0.0.1:${metricsPort}/health`);
    assertEquals(
      [health.status, (await health.json()).store],
      [200, "spooling"],
    );
    await maria.resume();
    await rig.daemon.waitForLog(/spool: replay done: 1 events/, 30_000);
    await waitFor(
      () => chatBodies(user).some(isAnswer),
      30_000,
      () => `user got: ${chatBodies(user).join(" | ")}`,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(chatBodies(user).filter(isAnswer).length, 1);
    const rows = await outboxRows(maria, db);
    assertEquals(
      rows.map((r) => [r.kind, r.state, r.result]),
      [["ussd", "sent", ANSWER]],
    );
    assertEquals(rig.sim.ussdRequests.length, 1, "dialled once");
  });
});

Deno.test("spool: an SMS whose OK arrives while MariaDB is away ends sent, once, and its receipt still comes", async () => {
  await withRig("spool_sms_ok", async (rig, maria, db) => {
    const { sim, daemon } = rig;
    const user = rig.user!;
    sim.settings.okDelayMs = 7000;
    const to = "+3725551234";
    const id = await user.sendMessage(`${to}@${COMPONENT}`, "sent in a blip", {
      receipt: true,
    });
    await sim.waitForSms(1, 15_000);
    await maria.pause();
    await daemon.waitForLog(/spooling them to/, 15_000);
    await maria.resume();
    await daemon.waitForLog(/spool: replay done: 1 events/, 30_000);
    const smsNo = sim.sentSms[0].smsNo;
    ok(smsNo !== null, "the module gave an sms_no");
    assertEquals(
      (await outboxRows(maria, db)).map((r) => [r.state, r.sms_no]),
      [["sent", smsNo]],
    );
    // The delivery report matches the row the replay made `sent`.
    assertEquals((await sim.deliver(smsNo!, 0, to)).acked, true);
    const receipt = await user.waitForMessage(
      (s) => !!s.getChild("received", "urn:xmpp:receipts"),
      30_000,
    );
    assertEquals(
      receipt.getChild("received", "urn:xmpp:receipts")!.attrs.id,
      id,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(sim.sentSms.length, 1, "sent once");
    assertEquals(errorsById(user).get(id), undefined, "no error to the user");
    assertEquals(
      (await outboxRows(maria, db)).map((r) => r.state),
      ["delivered"],
    );
  });
});

Deno.test("spool: kill -9 with a USSD answer in the spool, restart while MariaDB is away: /health 503 waiting, then replayed once", async () => {
  await withRig("spool_ussd_kill", async (rig, maria, db, metricsPort) => {
    const { daemon } = rig;
    const user = rig.user!;
    await ussdThenOutage(rig, maria);
    await daemon.kill();
    await daemon.restart();
    await daemon.waitForLog(/answering known lines/, 30_000);
    // Waiting for the database: /health and /metrics answer at once.
    const health = await fetch(`http://127.0.0.1:${metricsPort}/health`);
    assertEquals(health.status, 503);
    const body = await health.json();
    assertEquals([body.store, body.spooled, body.udp, body.xmpp], [
      "waiting",
      1,
      "ok",
      "off",
    ]);
    ok(/cannot open the mysql store/.test(body.waiting_for), body.waiting_for);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assertEquals(metrics.status, 200);
    ok(/^goippy_spool_depth 1$/m.test(await metrics.text()));

    await maria.resume();
    await daemon.waitForLog(/spool: replay done: 1 events/, 30_000);
    await waitFor(
      () => chatBodies(user).some(isAnswer),
      30_000,
      () => `user got: ${chatBodies(user).join(" | ")}`,
    );
    await waitFor(
      async () => {
        const h = await fetch(`http://127.0.0.1:${metricsPort}/health`);
        await h.body?.cancel();
        return h.status === 200;
      },
      30_000,
      "/health 200 once running",
    );
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(chatBodies(user).filter(isAnswer).length, 1);
    assertEquals(
      (await outboxRows(maria, db)).map((r) => [r.state, r.result]),
      [["sent", ANSWER]],
    );
    assertEquals(
      user.messages.filter((m) => m.attrs.type === "error").length,
      0,
      "not reported as an interrupted send",
    );
  });
});
