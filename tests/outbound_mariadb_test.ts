/**
 * The outbound sender on a real MariaDB (started by the test): both SMS
 * forms, USSD, crash recovery. Ignored when mariadbd is missing and CI is
 * not set.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import { OWN_LINE, startOutboundWorld } from "./support/outbound_world.ts";

Deno.test({
  name: "outbound on MariaDB: SMS in both forms, USSD, crash recovery",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  fn: async (tt) => {
    const mariadb = await startMariaDb();
    if (!mariadb) throw new Error(MARIADB_MISSING);
    try {
      await tt.step("one-packet form and USSD", async () => {
        const t = await startOutboundWorld({ mariadb });
        try {
          const id = await t.enqueue();
          const u = await t.enqueue({
            kind: "ussd",
            number: "",
            body: "*100#",
            toJid: OWN_LINE,
          });
          const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
          assertEquals([row.state, row.smsNo], [
            "sent",
            t.sim.sentSms[0].smsNo,
          ]);
          assertEquals(t.sim.sentSms[0].text, "Hello; it's me: ünïcode ✓");
          const ussd = await t.waitState(u, ["sent", "failed"]);
          assertEquals(ussd.result, "Your balance is 5.00 EUR");
          assertEquals(t.sim.violations, []);
        } finally {
          await t.close();
        }
      });
      await tt.step("session form", async () => {
        const t = await startOutboundWorld({
          mariadb,
          config: { SMS_SEND_MODE: "msg" },
        });
        try {
          const id = await t.enqueue();
          const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
          assertEquals(row.state, "sent");
          assertEquals(t.sim.sentSms.map((s) => s.form), ["session"]);
        } finally {
          await t.close();
        }
      });
      await tt.step("crash recovery", async () => {
        const t = await startOutboundWorld({ mariadb, noDriver: true });
        try {
          const id = await t.enqueue({ stanzaId: "crash" });
          await t.store.updateOutbox(id, { state: "sending", sendid: 3 });
          t.startDriver();
          await t.waitState(id, ["uncertain"]);
          const next = await t.enqueue({ body: "next" });
          await t.waitState(next, ["sent"]);
          assertEquals(t.sim.sentSms.map((s) => s.text), ["next"]);
        } finally {
          await t.close();
        }
      });
      await tt.step("database away at start: the driver retries", async () => {
        const t = await startOutboundWorld({ mariadb, noDriver: true });
        try {
          const id = await t.enqueue({ stanzaId: "away" });
          await t.store.updateOutbox(id, { state: "sending", sendid: 4 });
          await mariadb.pause();
          t.startDriver();
          await t.sim.waitFor(
            () => t.logs.some((l) => l.includes("ERROR outbound:")),
            20_000,
            "the failed start-up to be logged",
          );
          await mariadb.resume();
          await t.waitState(id, ["uncertain"], 30_000);
          const next = await t.enqueue({ body: "after" });
          await t.waitState(next, ["sent"], 30_000);
          assertEquals(t.sim.sentSms.map((s) => s.text), ["after"]);
        } finally {
          await t.close();
        }
      });
    } finally {
      await mariadb.stop();
    }
  },
});
