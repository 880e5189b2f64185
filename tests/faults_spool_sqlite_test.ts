/**
 * The local spool with a SQLite store: another process holds the database's
 * write lock (a backup, an admin's open transaction). SMS arriving meanwhile
 * are spooled and acknowledged, and stored once, in order, and delivered
 * once when the lock goes.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { chatBodies, startRig } from "./support/fault_rig.ts";
import { waitFor } from "./support/poll.ts";

Deno.test("spool: a SQLite store locked by another process: SMS spooled and acked, stored once in order when the lock goes", async () => {
  const rig = await startRig({
    dbBackend: "sqlite",
    sim: { retransmitMs: 3000, retransmits: 3 },
  });
  try {
    const { sim, daemon } = rig;
    const user = rig.user!;
    await sim.keepalive();
    const holder = new DatabaseSync(daemon.sqlitePath);
    holder.exec("PRAGMA busy_timeout = 5000");
    holder.exec("BEGIN IMMEDIATE");
    const bodies = ["locked 1", "locked 2", "locked 3"];
    try {
      for (const b of bodies) {
        assertEquals(
          (await sim.receive("+3725550003", b)).acked,
          true,
          daemon.logs(),
        );
      }
      ok(/spooling them to/.test(daemon.logs()), daemon.logs());
    } finally {
      holder.exec("COMMIT");
      holder.close();
    }
    await daemon.waitForLog(/spool: replay done/, 30_000);
    await waitFor(
      () => chatBodies(user).filter((b) => b.startsWith("locked")).length >= 3,
      30_000,
      () => `delivered: ${chatBodies(user).join(" | ")}`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    assertEquals(
      chatBodies(user).filter((b) => b.startsWith("locked")),
      bodies,
    );
    const db = new DatabaseSync(daemon.sqlitePath, { readOnly: true });
    try {
      const stored = db.prepare(
        "SELECT body FROM goippy_inbox WHERE body LIKE 'locked%' ORDER BY id",
      ).all().map((r) => String(r.body));
      assertEquals(stored, bodies);
    } finally {
      db.close();
    }
  } finally {
    await rig.close();
  }
});
