/**
 * A burst across many lines: claims and `sent` outcomes of many lines are
 * written together (group commit), and still each line keeps its order,
 * has one SMS in flight at a time, and each SMS goes out once and is
 * recorded once. Real SQLite and MariaDB, real UDP, simulated GoIPs.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { GoipSim } from "./support/goip_sim/mod.ts";
import {
  haveMariaDb,
  type MariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import {
  GOIP_ID,
  type OutboundWorld,
  PASSWORD,
  startOutboundWorld,
  texts,
} from "./support/outbound_world.ts";
import { waitFor } from "./support/poll.ts";

const LINES = 50;
const PER_LINE = 4;

/** The world's line and LINES - 1 more, all online; goip_id → simulator. */
async function fleet(t: OutboundWorld): Promise<Map<string, GoipSim>> {
  const sims = new Map([[GOIP_ID, t.sim]]);
  for (let i = 2; i <= LINES; i++) {
    const ext = String(2000 + i);
    const gw = await t.store.addGateway({ ext, goipPass: PASSWORD });
    sims.set(
      gw.goipId,
      await GoipSim.start({
        server: { hostname: "127.0.0.1", port: t.port },
        id: gw.goipId,
        password: PASSWORD,
        num: `+372555${ext}`,
      }),
    );
  }
  await Promise.all([...sims.values()].map((s) => s.keepalive()));
  return sims;
}

async function burst(t: OutboundWorld): Promise<void> {
  const sims = await fleet(t);
  try {
    const ids: number[] = [];
    // Every line's first, then every line's second, …: one burst for the
    // driver, started only once all are queued.
    for (let k = 0; k < PER_LINE; k++) {
      for (const goipId of sims.keys()) {
        ids.push(
          await t.store.enqueueOutbox({
            ext: goipId.replace("goippy_", ""),
            goipId,
            kind: "sms",
            number: "+3725551234",
            body: `${goipId} #${k}`,
            fromJid: "2001@example.org",
            toJid: "+3725551234@sms.example.org",
            stanzaId: `${goipId}-${k}`,
            wantReceipt: true,
            origin: "xmpp",
          }),
        );
      }
    }
    t.startDriver();
    await waitFor(
      async () => {
        for (const id of ids) {
          if ((await t.store.outboxItem(id))?.state !== "sent") return false;
        }
        return true;
      },
      30_000,
      () => "every SMS sent",
      100,
    );
    for (const [goipId, sim] of sims) {
      // Order kept, each once, one at a time (the simulator records a send
      // while another is in flight as a violation).
      assertEquals(
        texts(sim.sentSms),
        Array.from({ length: PER_LINE }, (_, k) => `${goipId} #${k}`),
      );
      assertEquals(sim.violations, []);
    }
    for (const id of ids) {
      const row = (await t.store.outboxItem(id))!;
      const sim = sims.get(row.goipId)!;
      const sent = sim.sentSms.find((s) => s.text === row.body)!;
      assertEquals([row.sendid, row.smsNo, row.attempts], [
        sent.sendid,
        sent.smsNo,
        1,
      ]);
    }
    // Recorded once: one traffic row and one hand-over per SMS, nothing
    // for the users (no errors).
    assertEquals(
      (await t.store.trafficCounts(0)).filter((c) => c.dir === "out"),
      [{ dir: "out", kind: "sms", count: LINES * PER_LINE }],
    );
    const counts = await t.store.sendCounts({
      hourFromMs: 0,
      dayFromMs: 0,
      monthFromMs: 0,
    });
    assertEquals(
      [...counts.values()].map((c) => c.hour),
      Array.from({ length: LINES }, () => PER_LINE),
    );
    assertEquals(await t.store.pendingInbox(10), []);
  } finally {
    for (const [goipId, sim] of sims) if (goipId !== GOIP_ID) await sim.close();
  }
}

Deno.test("outbound burst: 200 SMS to 50 lines, batched, order kept, each once [sqlite]", async () => {
  const t = await startOutboundWorld({ noDriver: true });
  try {
    await burst(t);
  } finally {
    await t.close();
  }
});

Deno.test({
  name:
    "outbound burst: 200 SMS to 50 lines, batched, order kept, each once [mysql]",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  fn: async () => {
    const mariadb: MariaDb | null = await startMariaDb();
    if (!mariadb) throw new Error(MARIADB_MISSING);
    try {
      const t = await startOutboundWorld({ mariadb, noDriver: true });
      try {
        await burst(t);
      } finally {
        await t.close();
      }
    } finally {
      await mariadb.stop();
    }
  },
});
