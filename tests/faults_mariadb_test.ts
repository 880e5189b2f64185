/**
 * Fault 3: MariaDB restarted in the middle of a RECEIVE stream (MySQL
 * dialect), real daemon, real Prosody, real user, simulated GoIP with a
 * device's resends (3 s, 3 times): nothing is acknowledged that was not
 * stored (in MariaDB, or in the local spool and then in MariaDB), everything stored is delivered once after the database is back,
 * and goippy reconnects by itself (the same process keeps running).
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import mysql from "mysql2/promise";
import { chatBodies, receiveStream, startRig } from "./support/fault_rig.ts";
import { MARIADB_MISSING, startMariaDb } from "./support/mariadb.ts";
import { waitFor } from "./support/poll.ts";

Deno.test("fault 3: MariaDB restarted mid-stream: acked means stored, all delivered once, goippy reconnects", async (t) => {
  const maria = await startMariaDb();
  if (!maria) {
    console.log(MARIADB_MISSING);
    return;
  }
  const rig = await startRig({
    dbBackend: "mysql",
    mysql: maria,
    sim: { retransmitMs: 3000, retransmits: 3 },
  }).catch(async (e) => {
    await maria.stop();
    throw e;
  });
  try {
    const { sim, daemon } = rig;
    const user = rig.user!;
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    let acks = 0;
    const stream = receiveStream(sim, 10, 50, () => acks++);
    await waitFor(() => acks >= 100, 60_000, () => `100 acks (have ${acks})`);
    const ackedBefore = acks;
    await maria.restart();
    const acked = await stream;
    const ackedBodies = [...acked].filter(([, a]) => a).map(([b]) => b);
    // What was acked while the database was away is in the local spool
    // until the replay has moved it into MariaDB.
    const spooled = /spooling them to/.test(daemon.logs());
    if (spooled) await daemon.waitForLog(/spool: replay done/, 30_000);

    // What the database holds, read directly.
    const conn = await mysql.createConnection({
      host: maria.host,
      port: maria.port,
      user: maria.user,
      password: maria.password,
      database: maria.database,
    });
    let stored: string[];
    try {
      const [rows] = await conn.query(
        "SELECT body FROM goippy_inbox WHERE kind = 'chat' ORDER BY id",
      );
      stored = (rows as { body: string }[]).map((r) => r.body);
    } finally {
      await conn.end();
    }
    const storedSet = new Set(stored);
    assertEquals(stored.length, storedSet.size, "each SMS stored once");
    const ackedNotStored = ackedBodies.filter((b) => !storedSet.has(b));
    assertEquals(ackedNotStored, [], "nothing acked that was not stored");

    await waitFor(
      () => chatBodies(user).length >= stored.length,
      60_000,
      () => `${stored.length} delivered (have ${chatBodies(user).length})`,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const delivered = chatBodies(user);
    assertEquals(delivered.length, stored.length, "delivered once each");
    assertEquals(new Set(delivered), storedSet);
    // The device's resends bridged the outage: every SMS got through.
    assertEquals(ackedBodies.length, 500);
    ok(daemon.logs().includes("goippy listening"), "same daemon");
    ok(!/goippy stopped/.test(daemon.logs()), "the daemon never stopped");
    const refused = (daemon.logs().match(/not stored, not acknowledged/g) ??
      []).length;
    console.log(
      `fault 3: acked before the restart ${ackedBefore}, acked ${ackedBodies.length}, ` +
        `stored ${stored.length}, delivered ${delivered.length}, ` +
        `not acked while the database was away ${refused}, spooled ${spooled}, ` +
        `device resends ${sim.sent.length - 501}`,
    );
    await t.step("goippy still answers", async () => {
      assertEquals(await sim.keepalive(), "reg:2;status:200;");
    });
  } finally {
    await rig.close();
    await maria.stop();
  }
});
