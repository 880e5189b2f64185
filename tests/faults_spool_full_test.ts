/**
 * The spool's size bound: with MariaDB away and SPOOL_MAX_MB reached, goippy
 * stops acknowledging (the GoIP keeps those SMS) and says so loudly; what
 * was acknowledged lands in MariaDB once when it is back, and the spool
 * takes events again after its replay.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import mysql from "mysql2/promise";
import { startRig } from "./support/fault_rig.ts";
import { MARIADB_MISSING, startMariaDb } from "./support/mariadb.ts";

Deno.test("spool: full at SPOOL_MAX_MB: no ack, SPOOL FULL logged; what was acked stored once", async () => {
  const maria = await startMariaDb();
  if (!maria) {
    console.log(MARIADB_MISSING);
    return;
  }
  const rig = await startRig({
    dbBackend: "mysql",
    mysql: maria,
    user: false,
    // No resends: each SMS is offered once, acked or not.
    sim: { retransmitMs: 1500, retransmits: 0 },
    config: { SPOOL_MAX_MB: 1 },
  }).catch(async (e) => {
    await maria.stop();
    throw e;
  });
  try {
    const { sim, daemon } = rig;
    await sim.keepalive();
    await maria.pause();
    // About 1.6 MB of SMS text for a 1 MB spool.
    const pad = "x".repeat(800);
    const acked: string[] = [];
    const refused: string[] = [];
    await Promise.all(Array.from({ length: 20 }, async (_, s) => {
      for (let j = 0; j < 100; j++) {
        const body = `s${s} m${j} ${pad}`;
        const r = await sim.receive(`+37256${100000 + s}`, body);
        if (!r.acked) {
          // Full: this sender stops here (its GoIP would send it later).
          refused.push(body);
          break;
        }
        acked.push(body);
      }
    }));
    ok(acked.length > 500, `acked ${acked.length}`);
    ok(refused.length > 0, `refused ${refused.length}`);
    ok(/SPOOL FULL/.test(daemon.logs()), "SPOOL FULL logged");
    await maria.resume();
    await daemon.waitForLog(/spool: replay done/, 60_000);
    const c = await mysql.createConnection({
      host: maria.host,
      port: maria.port,
      user: maria.user,
      password: maria.password,
      database: maria.database,
    });
    try {
      const [rows] = await c.query(
        "SELECT body FROM goippy_inbox WHERE kind = 'chat'",
      );
      const stored = (rows as { body: string }[]).map((r) => r.body);
      assertEquals(stored.length, new Set(stored).size, "each once");
      assertEquals(new Set(stored), new Set(acked), "acked = stored");
    } finally {
      await c.end();
    }
    // Emptied by the replay: the next SMS goes through.
    assertEquals((await sim.receive("+3725550001", "after")).acked, true);
    console.log(
      `spool full: ${acked.length} acked, ${refused.length} not acked`,
    );
  } finally {
    await rig.close();
    await maria.stop();
  }
});
