/**
 * Several goippy daemons on one real MariaDB, one GoIP line (the simulator
 * over real UDP) whose traffic moves from instance A to instance B as a
 * virtual IP would: the line's owner alone sends its outbox, each SMS goes
 * to the GoIP at most once and ends `sent` or `uncertain`, each incoming SMS
 * is stored once whichever instance took it, a kill -9 of the owner
 * mid-send leaves the row `uncertain` once its death is seen (never resent)
 * and its inbox claims released,
 * and a restart of one instance never touches another's send in flight.
 * XMPP is off: the inbox rows are checked in the database.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { Store } from "../src/store/types.ts";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { haveMariaDb, startMariaDb } from "./support/mariadb.ts";
import { waitFor } from "./support/poll.ts";

const PW = "multi-Pw-1";
const GOIP_ID = "goippy_2001";
/** Short, so a dead instance is seen within seconds. */
const DEAD_AFTER = 3;

Deno.test({
  name: "instances: two daemons on one MariaDB share a line without doubling",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  fn: async (t) => {
    const maria = await startMariaDb();
    if (!maria) return;
    const daemons: DaemonHandle[] = [];
    const sims: GoipSim[] = [];
    let store: Store | null = null;
    try {
      const start = async (id: string, withGateway: boolean) => {
        const d = await startDaemon({
          dbBackend: "mysql",
          mysql: maria,
          config: { INSTANCE_ID: id, INSTANCE_DEAD_AFTER: DEAD_AFTER },
          gateways: withGateway ? [{ ext: "2001", password: PW }] : [],
        });
        daemons.push(d);
        return d;
      };
      const a = await start("A", true);
      const b = await start("B", false);
      store = await a.openStore();
      const db = store;
      const simTo = async (d: DaemonHandle) => {
        const s = await GoipSim.start({
          server: { hostname: "127.0.0.1", port: d.udpPort },
          id: GOIP_ID,
          password: PW,
          num: "+3725550001",
          retransmitMs: 1000,
        });
        sims.push(s);
        return s;
      };
      // One GoIP; its datagrams reach A, later B (another source port too,
      // as after a NAT rebinding).
      const toA = await simTo(a);
      const toB = await simTo(b);

      const queue = (body: string) =>
        db.enqueueOutbox({
          ext: "2001",
          goipId: GOIP_ID,
          kind: "sms",
          number: "+3725551234",
          body,
          fromJid: "",
          toJid: "",
          stanzaId: "",
          wantReceipt: false,
          origin: "cli",
        });
      const stateOf = async (id: number) => (await db.outboxItem(id))?.state;
      const waitState = (id: number, state: string, ms = 15_000) =>
        waitFor(
          async () => await stateOf(id) === state,
          ms,
          async () => `outbox #${id} ${state} (is ${await stateOf(id)})`,
        );
      const texts = () =>
        [...toA.sentSms, ...toB.sentSms].map((s) => s.text).sort();

      await t.step(
        "the owner follows the keepalives; each SMS once",
        async () => {
          assertEquals(await toA.keepalive(), "reg:1;status:200;");
          assertEquals((await db.lineState(GOIP_ID))?.owner, "A");
          const first = [];
          for (let i = 0; i < 4; i++) first.push(await queue(`first ${i}`));
          for (const id of first) await waitState(id, "sent");
          assertEquals(toA.sentSms.length, 4);
          assertEquals(toB.sentSms.length, 0);

          assertEquals(await toB.keepalive(), "reg:1;status:200;");
          assertEquals((await db.lineState(GOIP_ID))?.owner, "B");
          const second = [];
          for (let i = 0; i < 4; i++) second.push(await queue(`second ${i}`));
          for (const id of second) await waitState(id, "sent");
          assertEquals(
            toA.sentSms.length,
            4,
            "A sends nothing it does not own",
          );
          assertEquals(toB.sentSms.length, 4);
          assertEquals(texts(), [
            ...[0, 1, 2, 3].map((i) => `first ${i}`),
            ...[0, 1, 2, 3].map((i) => `second ${i}`),
          ]);
        },
      );

      await t.step(
        "back and forth: the first keepalive after keepalives went elsewhere takes the line",
        async () => {
          const owner = async () => (await db.lineState(GOIP_ID))?.owner;
          // A GoIP keeps a steady cadence (here 0.3 s); when a virtual IP
          // moves, the next keepalives reach the other instance.
          const beat = async (sim: GoipSim) => {
            await new Promise((r) => setTimeout(r, 300));
            assertEquals(await sim.keepaliveTry().then((r) => r.acked), true);
          };
          for (let i = 0; i < 3; i++) await beat(toA);
          assertEquals(await owner(), "A");
          for (let i = 0; i < 3; i++) await beat(toB);
          assertEquals(await owner(), "B");
          await beat(toA); // A missed three: the line is taken back at once
          assertEquals(await owner(), "A");
          await beat(toA);
          await beat(toB);
          assertEquals(await owner(), "B");
        },
      );

      await t.step(
        "incoming SMS through either instance: stored once each",
        async () => {
          for (let i = 0; i < 3; i++) {
            ok((await toA.receive("+3725557777", `in A ${i}`)).acked);
            ok((await toB.receive("+3725557777", `in B ${i}`)).acked);
          }
          const bodies = (await db.pendingInbox(100)).map((r) => r.body).sort();
          assertEquals(bodies, [
            "in A 0",
            "in A 1",
            "in A 2",
            "in B 0",
            "in B 1",
            "in B 2",
          ]);
        },
      );

      await t.step(
        "a restart of A while B is mid-send leaves B's row alone",
        async () => {
          toB.smsBehaviour = "sent-silent"; // the OK is sent by hand below
          const id = await queue("in flight on B");
          await toB.waitForSms(5, 10_000);
          assertEquals(await stateOf(id), "sending");
          await a.restart();
          const row = await db.outboxItem(id);
          assertEquals([row?.state, row?.claimedBy], ["sending", "B"]);
          const { sendid, telid } = toB.sentSms[4];
          await toB.sendRaw(`OK ${sendid} ${telid} 42`);
          await waitState(id, "sent");
          assertEquals((await db.outboxItem(id))?.smsNo, 42);
        },
      );

      await t.step(
        "kill -9 of the owner mid-send: uncertain once its death is seen, never resent",
        async () => {
          // B's deliverer holds the incoming SMS (XMPP is off here: the
          // claim is made through the store as B's deliverer makes it).
          assertEquals((await db.pendingInbox(100, "B")).length, 6);
          assertEquals(
            await db.pendingInbox(100, "A"),
            [],
            "B's, while B lives",
          );
          const id = await queue("cut off");
          await toB.waitForSms(6, 10_000);
          assertEquals(await stateOf(id), "sending");
          await b.kill();
          const killedAt = Date.now();
          await waitState(id, "uncertain", (DEAD_AFTER + 10) * 1000);
          const failover = Date.now() - killedAt;
          ok(
            // B's last heartbeat was at most ~1 s before the kill.
            failover >= 1000,
            `uncertain only after the death is seen (${failover} ms)`,
          );
          console.log(
            `instances: kill -9 of the owner -> its send in flight reported ` +
              `uncertain by the survivor after ${failover} ms ` +
              `(INSTANCE_DEAD_AFTER ${DEAD_AFTER} s)`,
          );
          await a.waitForLog(/#\d+ was sending on instance B, which is dead/);
          // Its inbox claims are released with it: delivered again, by A.
          await a.waitForLog(/6 inbox row\(s\) of dead instance\(s\) released/);
          assertEquals((await db.pendingInbox(100, "A")).length, 6);
          // The GoIP's keepalives come back to A: the line is A's again; the
          // uncertain row is not sent again, a new one goes out through A.
          ok((await toA.keepaliveTry()).acked);
          const after = await queue("after failover");
          await waitState(after, "sent");
          assertEquals(await stateOf(id), "uncertain");
          assertEquals(
            texts().filter((x) => x === "cut off" || x === "after failover"),
            ["after failover", "cut off"],
          );
          const depths = await db.queueDepths();
          assertEquals([depths.outboxQueued, depths.outboxSending], [0, 0]);
        },
      );
    } finally {
      await store?.close();
      for (const s of sims) await s.close();
      for (const d of daemons) await d.stop().catch(() => {});
      await maria.stop();
    }
  },
});
