/**
 * A reply to a send in flight while a SQLite store cannot take it: another
 * process holds the database's write lock (a backup, an admin's open
 * transaction) from after the USSD request went to the GoIP simulator until
 * after its answer came back, and goippy is killed (-9) meanwhile. The
 * answer went to the local spool; restarted once the lock is gone, goippy
 * replays it: the row ends `sent` with the answer (not taken for an
 * interrupted send) and the XMPP user gets it once.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  chatBodies,
  COMPONENT,
  LINE_NUM,
  startRig,
} from "./support/fault_rig.ts";
import { waitFor } from "./support/poll.ts";

const ANSWER = "Balance 7.00 EUR";
const isAnswer = (b: string) => b === `[USSD] ${ANSWER}`;

/** Kind, state and result text of every outbox row, read from the file. */
function outboxRows(path: string): unknown[][] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(
      "SELECT kind, state, result_text FROM goippy_outbox ORDER BY id",
    ).all().map((r) => [r.kind, r.state, r.result_text]);
  } finally {
    db.close();
  }
}

Deno.test("spool: a USSD answer that arrives while the SQLite store is locked is spooled; after kill -9 and the lock gone it reaches the user once", async () => {
  const rig = await startRig({ dbBackend: "sqlite" });
  try {
    const { sim, daemon } = rig;
    const user = rig.user!;
    await sim.keepalive();
    sim.settings.ussdAnswer = ANSWER;
    // Inside the sender's 10 s before its one resend; time to take the lock.
    sim.settings.ussdDelayMs = 4000;
    await user.sendMessage(`${LINE_NUM}@${COMPONENT}`, "*100#");
    await waitFor(() => sim.ussdRequests.length === 1, 15_000, "USSD sent");
    const holder = new DatabaseSync(daemon.sqlitePath);
    holder.exec("PRAGMA busy_timeout = 5000");
    holder.exec("BEGIN IMMEDIATE");
    try {
      await daemon.waitForLog(/spooling them to/, 20_000);
      ok(!chatBodies(user).some(isAnswer), "no answer while locked");
      // Killed while the lock is held: the live write cannot have landed,
      // so only the spooled copy can tell the user.
      await daemon.kill();
    } finally {
      holder.exec("COMMIT");
      holder.close();
    }
    await daemon.restart();
    await daemon.waitForLog(/spool: replay done: 1 events moved/, 30_000);
    await waitFor(
      () => chatBodies(user).some(isAnswer),
      30_000,
      () => `user got: ${chatBodies(user).join(" | ")}`,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(chatBodies(user).filter(isAnswer).length, 1);
    assertEquals(sim.ussdRequests.length, 1, "dialled once");
    assertEquals(
      user.messages.filter((m) => m.attrs.type === "error").length,
      0,
      "not reported as an interrupted send",
    );
    assertEquals(outboxRows(daemon.sqlitePath), [["ussd", "sent", ANSWER]]);
  } catch (err) {
    console.error(rig.daemon.logs());
    throw err;
  } finally {
    await rig.close();
  }
});

Deno.test("spool: a USSD answer whose message to the user cannot be written is spooled whole, and reaches the user once after", async () => {
  const rig = await startRig({ dbBackend: "sqlite" });
  try {
    const { sim, daemon } = rig;
    const user = rig.user!;
    await sim.keepalive();
    sim.settings.ussdAnswer = ANSWER;
    sim.settings.ussdDelayMs = 3000;
    await user.sendMessage(`${LINE_NUM}@${COMPONENT}`, "*100#");
    await waitFor(() => sim.ussdRequests.length === 1, 15_000, "USSD sent");
    // The row's update would succeed; the inbox insert after it fails.
    const admin = new DatabaseSync(daemon.sqlitePath);
    admin.exec("PRAGMA busy_timeout = 5000");
    try {
      admin.exec(
        "CREATE TRIGGER inbox_refuses BEFORE INSERT ON goippy_inbox " +
          "BEGIN SELECT RAISE(ABORT, 'inbox refuses'); END",
      );
      await daemon.waitForLog(/spooling them to/, 20_000);
      ok(/inbox refuses/.test(daemon.logs()), "spooled for the inbox error");
      admin.exec("DROP TRIGGER inbox_refuses");
    } finally {
      admin.close();
    }
    await daemon.waitForLog(/spool: replay done: 1 events moved/, 30_000);
    await waitFor(
      () => chatBodies(user).some(isAnswer),
      30_000,
      () => `user got: ${chatBodies(user).join(" | ")}`,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(chatBodies(user).filter(isAnswer).length, 1);
    assertEquals(outboxRows(daemon.sqlitePath), [["ussd", "sent", ANSWER]]);
  } catch (err) {
    console.error(rig.daemon.logs());
    throw err;
  } finally {
    await rig.close();
  }
});
