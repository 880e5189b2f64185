/**
 * End to end over real UDP, the real daemon and simulated GoIP channels:
 * delivery reports (receipt / error back to the XMPP sender), call records
 * and call notifications, USSN, other events acknowledged, wrong passwords
 * and foreign addresses refused, the offline watch. On SQLite and MariaDB.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { GoipSim } from "./support/goip_sim/mod.ts";
import {
  formatHangup,
  formatRecord,
  formatUssn,
} from "./support/goip_sim/packets.ts";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import { haveMariaDb, type MariaDb, startMariaDb } from "./support/mariadb.ts";
import { freeTcpPort } from "./support/ports.ts";
import { waitFor } from "./support/poll.ts";
import type { OutboxItem, Store } from "../src/store/types.ts";
import { DatabaseSync } from "node:sqlite";
import mysql from "mysql2/promise";

const COMPONENT = "sms.example.org";

/** Run one write statement on the daemon's database, outside goippy. */
type RawWrite = (sql: string) => Promise<void>;

function rawWrite(d: DaemonHandle, maria: MariaDb | null): RawWrite {
  if (!maria) {
    return (sql) => {
      const db = new DatabaseSync(d.sqlitePath);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
      return Promise.resolve();
    };
  }
  return async (sql) => {
    const { host, port, user, password, database } = maria;
    const conn = await mysql.createConnection({
      host,
      port,
      user,
      password,
      database,
    });
    try {
      await conn.query(sql);
    } finally {
      await conn.end();
    }
  };
}

async function run(
  backend: "sqlite" | "mysql",
  t: Deno.TestContext,
): Promise<void> {
  const maria = backend === "mysql" ? await startMariaDb() : null;
  if (backend === "mysql" && !maria) return;
  const sims: GoipSim[] = [];
  let d: DaemonHandle | null = null;
  let store: Store | null = null;
  try {
    d = await startDaemon({
      dbBackend: backend,
      mysql: maria ?? undefined,
      config: {
        XMPP_COMPONENT_JID: COMPONENT,
        XMPP_PORT: freeTcpPort(), // nobody listens: inbox rows stay pending
        GOIP_OFFLINE_AFTER: 2,
      },
      gateways: [{ ext: "2001", password: "pw" }, {
        ext: "2003",
        password: "pw3",
      }],
    });
    store = await d.openStore();
    const sim = async (ext: string, password: string) => {
      const s = await GoipSim.start({
        server: { hostname: "127.0.0.1", port: d!.udpPort },
        id: `goippy_${ext}`,
        password,
        num: "+3725559999",
        retransmitMs: 400,
      });
      sims.push(s);
      return s;
    };
    const line = await sim("2001", "pw");
    assertEquals(await line.keepalive(), "reg:1;status:200;");
    await steps(t, d, store, line, sim, rawWrite(d, maria));
    assertEquals(await d.stop(), 0);
    d = null;
  } finally {
    for (const s of sims) await s.close();
    await store?.close();
    if (d) await d.stop().catch(() => {});
    await maria?.stop();
  }
}

async function waitItem(
  store: Store,
  id: number,
  pred: (i: OutboxItem) => boolean,
): Promise<OutboxItem> {
  let item: OutboxItem | undefined;
  await waitFor(
    async () => (item = await store.outboxItem(id)) !== undefined && pred(item),
    15_000,
    async () => `outbox #${id}: ${JSON.stringify(await store.outboxItem(id))}`,
  );
  return item!;
}

async function inboxWith(store: Store, pred: (b: string) => boolean) {
  return (await store.pendingInbox(1000)).filter((i) => pred(i.body));
}

async function steps(
  t: Deno.TestContext,
  d: DaemonHandle,
  store: Store,
  line: GoipSim,
  sim: (ext: string, pw: string) => Promise<GoipSim>,
  raw: RawWrite,
): Promise<void> {
  const sendSms = async (number: string, stanzaId: string) => {
    // GOIP_OFFLINE_AFTER is 2 s: the sender only serves a line seen lately.
    await line.keepalive();
    const id = await store.enqueueOutbox({
      ext: "2001",
      goipId: "goippy_2001",
      kind: "sms",
      number,
      body: `hello ${stanzaId}`,
      fromJid: "2001@example.org/phone",
      toJid: `${number}@${COMPONENT}`,
      stanzaId,
      wantReceipt: true,
      origin: "xmpp",
    });
    return await waitItem(
      store,
      id,
      (i) => i.state === "sent" && i.smsNo !== null,
    );
  };

  await t.step(
    "DELIVER state 0: acked, SMS delivered, receipt queued for the sender",
    async () => {
      const item = await sendSms("+3725551111", "stanza-ok");
      const r = await line.deliver(item.smsNo!, 0, "+3725551111");
      assertEquals(r.acked, true);
      assertEquals((await store.outboxItem(item.id))?.state, "delivered");
      const receipts = (await store.pendingInbox(1000)).filter((i) =>
        i.kind === "receipt" && i.refId === "stanza-ok"
      );
      assertEquals(receipts.map((i) => [i.fromJid, i.toJid]), [[
        `+3725551111@${COMPONENT}`,
        "2001@example.org/phone",
      ]]);
    },
  );

  await t.step(
    "DELIVER state 2: acked, SMS failed, error for the sender",
    async () => {
      const item = await sendSms("+3725552222", "stanza-bad");
      assertEquals(
        (await line.deliver(item.smsNo!, 2, "+3725552222")).acked,
        true,
      );
      assertEquals((await store.outboxItem(item.id))?.state, "failed");
      const errors = (await store.pendingInbox(1000)).filter((i) =>
        i.kind === "error" && i.refId === "stanza-bad"
      );
      assertEquals(errors.map((i) => i.body), ["not delivered to +3725552222"]);
    },
  );

  await t.step(
    "DELIVER for an SMS queued over an hour before it went out: delivered",
    async () => {
      const item = await sendSms("+3725553333", "stanza-waited");
      // As if it had waited two hours for its line before the hand-over.
      await raw(
        "UPDATE goippy_outbox SET created_ms = created_ms - 7200000 " +
          `WHERE id = ${item.id}`,
      );
      assertEquals(
        (await line.deliver(item.smsNo!, 0, "+3725553333")).acked,
        true,
      );
      assertEquals((await store.outboxItem(item.id))?.state, "delivered");
    },
  );

  await t.step(
    "DELIVER without a state: acked, SMS stays sent, the sender told nothing",
    async () => {
      const item = await sendSms("+3725554444", "stanza-nostate");
      assertEquals(
        (await line.deliver(item.smsNo!, null, "+3725554444")).acked,
        true,
      );
      assertEquals((await store.outboxItem(item.id))?.state, "sent");
      const told = (await store.pendingInbox(1000)).filter((i) =>
        i.refId === "stanza-nostate"
      );
      assertEquals(told.map((i) => [i.kind, i.body]), []);
      // A later report with a state still finds the SMS.
      assertEquals(
        (await line.deliver(item.smsNo!, 0, "+3725554444")).acked,
        true,
      );
      assertEquals((await store.outboxItem(item.id))?.state, "delivered");
    },
  );

  await t.step("DELIVER for an unknown sms_no is still acked", async () => {
    assertEquals((await line.deliver(65000, 0, "+1")).acked, true);
  });

  await t.step(
    "RECORD + HANGUP: call row with cause, missed-call note",
    async () => {
      assertEquals((await line.record(1, "+3725553333")).acked, true);
      assertEquals(
        (await line.event("STATE", {
          gsm_remain_state: "INCOMING:+3725553333",
        }))
          .acked,
        true,
      );
      assertEquals((await line.hangup("", "Normal call clearing")).acked, true);
      const [call] = await store.recentCalls(1);
      assertEquals(
        [call.goipId, call.ext, call.direction, call.remoteNum, call.cause],
        ["goippy_2001", "2001", 1, "+3725553333", "Normal call clearing"],
      );
      assertEquals(call.msisdn, "+3725559999");
      assert(call.endedMs !== null);
      const notes = await inboxWith(store, (b) => b.includes("+3725553333"));
      assertEquals(notes.map((i) => [i.fromJid, i.body]), [[
        `+3725553333@${COMPONENT}`,
        "Missed call from +3725553333",
      ]]);
    },
  );

  await t.step(
    "answered incoming call: 'ended' note with the cause",
    async () => {
      await line.record(1, "+3725554444");
      await line.event("STATE", { gsm_remain_state: "ACTIVE" });
      await line.hangup("+3725554444", "User busy");
      const notes = await inboxWith(store, (b) => b.includes("+3725554444"));
      assertEquals(notes.map((i) => i.body), [
        "Call from +3725554444 ended (User busy)",
      ]);
    },
  );

  await t.step(
    "RECORD with a cause (seed form), outgoing: row, no note",
    async () => {
      assertEquals((await line.record(2, "+3725555555", "Normal")).acked, true);
      await line.hangup("+3725555555", "Normal call clearing");
      const [call] = await store.recentCalls(1);
      assertEquals([call.direction, call.remoteNum], [2, "+3725555555"]);
      assertEquals(
        (await inboxWith(store, (b) => b.includes("+3725555555"))).length,
        0,
      );
    },
  );

  await t.step(
    "USSN: acked, [USSD] text from the own line, @ padding gone",
    async () => {
      assertEquals((await line.ussn("Balance: 5 EUR; ok@@@")).acked, true);
      const rows = await inboxWith(
        store,
        (b) => b.startsWith("[USSD] Balance"),
      );
      assertEquals(rows.map((i) => [i.fromJid, i.toJid, i.body]), [[
        `+3725559999@${COMPONENT}`,
        "2001@example.org",
        "[USSD] Balance: 5 EUR; ok",
      ]]);
    },
  );

  await t.step(
    "retransmissions of DELIVER, RECORD, HANGUP, USSN: acked again, told once",
    async () => {
      const item = await sendSms("+3725557001", "stanza-twice");
      const n = line.nextN();
      for (let i = 0; i < 2; i++) {
        const r = await line.deliver(item.smsNo!, 2, "+3725557001", { n });
        assertEquals(r.acked, true);
      }
      const errors = (await store.pendingInbox(1000)).filter((i) =>
        i.kind === "error" && i.refId === "stanza-twice"
      );
      assertEquals(errors.length, 1);
      // A call whose RECORD and HANGUP the GoIP sends twice each.
      const send = async (name: string, text: (n: number) => string) => {
        const n = line.nextN();
        for (let i = 0; i < 2; i++) {
          const r = await line.exchange(
            text(n),
            n,
            (t) => t.startsWith(`${name} ${n} `),
            (t) => t === `${name} ${n} OK`,
          );
          assertEquals(r.acked, true);
        }
      };
      const callsBefore = (await store.recentCalls(100)).length;
      await send("RECORD", (n) => formatRecord(n, line.who, 1, "+3725557002"));
      await send(
        "HANGUP",
        (n) => formatHangup(n, line.who, "+3725557002", "Normal call clearing"),
      );
      const calls = (await store.recentCalls(100)).filter((c) =>
        c.remoteNum === "+3725557002"
      );
      assertEquals(calls.length, 1);
      assertEquals((await store.recentCalls(100)).length, callsBefore + 1);
      assertEquals(
        (await inboxWith(store, (b) => b.includes("+3725557002"))).length,
        1,
      );
      await send("USSN", (n) => formatUssn(n, line.who, "Twice told"));
      assertEquals(
        (await inboxWith(store, (b) => b.includes("Twice told"))).length,
        1,
      );
    },
  );

  await t.step(
    "another event reusing a counter (the GoIP rebooted) is not dropped",
    async () => {
      const a = await sendSms("+3725557003", "stanza-reuse-a");
      const b = await sendSms("+3725557004", "stanza-reuse-b");
      const n = line.nextN();
      assertEquals(
        (await line.deliver(a.smsNo!, 2, "+3725557003", { n })).acked,
        true,
      );
      assertEquals(
        (await line.deliver(b.smsNo!, 2, "+3725557004", { n })).acked,
        true,
      );
      const errors = (await store.pendingInbox(1000)).filter((i) =>
        i.kind === "error" && i.refId.startsWith("stanza-reuse-")
      );
      assertEquals(errors.map((i) => i.refId).sort(), [
        "stanza-reuse-a",
        "stanza-reuse-b",
      ]);
    },
  );

  await t.step("other events are acked NAME <n> OK", async () => {
    for (
      const [name, fields] of [
        ["REMAIN", { gsm_remain_time: 120 }],
        ["EXPIRY", { exp: 0 }],
        ["CELLS", { lists: "1,2,3," }],
        ["CELLINFO", { info: "LAC:7E5,CELL ID:5E5B" }],
        ["SOMETHING_NEW", { x: "y:z" }],
      ] as const
    ) {
      const r = await line.event(name, fields);
      assertEquals(r.reply, `${name} ${r.n} OK`);
    }
    assertEquals((await store.lineState("goippy_2001"))?.remainTime, 120);
  });

  await t.step("events with a wrong password are not acked", async () => {
    const spoof = await sim("2001", "nope");
    spoof.retransmits = 0;
    assertEquals(
      (await spoof.event("STATE", { gsm_remain_state: "IDLE" })).acked,
      false,
    );
    assertEquals((await spoof.record(1, "+1234")).acked, false);
  });

  await t.step(
    "another port with the right credentials: events taken before its keepalive",
    async () => {
      const other = await sim("2001", "pw");
      other.retransmits = 0;
      const body = `rebound-${crypto.randomUUID()}`;
      assertEquals((await other.receive("+3725556666", body)).acked, true);
      assert(/accepted on its password/.test(d.logs()));
      assertEquals(
        (await other.event("STATE", { gsm_remain_state: "IDLE" })).acked,
        true,
      );
      assertEquals(
        (await line.event("STATE", { gsm_remain_state: "IDLE" })).acked,
        true,
      );
    },
  );

  await t.step(
    "a silent line is reported offline, a keepalive brings it back",
    async () => {
      const l3 = await sim("2003", "pw3");
      await l3.keepalive();
      await d.waitForLog(/line goippy_2003 \(ext 2003\) offline/, 15_000);
      await l3.keepalive();
      await d.waitForLog(
        /line goippy_2003 \(ext 2003\) online[\s\S]*line goippy_2003 \(ext 2003\) online/,
        5000,
      );
    },
  );
}

Deno.test("GoIP events end to end: DELIVER, calls, USSN, events, pinning [sqlite]", (t) =>
  run("sqlite", t));

Deno.test({
  name: "GoIP events end to end: DELIVER, calls, USSN, events, pinning [mysql]",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  fn: (t) => run("mysql", t),
});
