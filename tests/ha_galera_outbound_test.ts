/**
 * Outgoing SMS with two daemons on different nodes of a real 3-node Galera
 * cluster (started once for the file), XMPP off, one simulated GoIP line
 * whose keepalives move from daemon A to daemon B as a virtual IP would:
 * - SMS queued on either daemon's node go out through the line's owner
 *   only, each handed to the GoIP once, none lost;
 * - kill -9 of the owner mid-send: its `sending` row becomes `uncertain`
 *   once the survivor sees it dead and is never resent; the next SMS goes
 *   out through the survivor as soon as the line's keepalives reach it.
 */

import assert from "node:assert/strict";
import type { Store } from "../src/store/types.ts";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import { EXT, GOIP_ID, GW_PASS, LINE_NUM } from "./support/fault_rig.ts";
import { GALERA_MISSING, haveGalera, startGalera } from "./support/galera.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { waitFor } from "./support/poll.ts";

/** Short, so a dead instance is seen within seconds. */
const DEAD_AFTER = 3;
/** States an outbox row ends in. */
const FINAL = new Set(["sent", "delivered", "failed", "uncertain"]);

Deno.test({
  name:
    "HA Galera outbound: SMS from either node go out once through the line's owner; kill -9 of the owner mid-send",
  ignore: !haveGalera(),
  async fn(t) {
    if (!haveGalera()) throw new Error(GALERA_MISSING);
    const g = await startGalera();
    const daemons: DaemonHandle[] = [];
    const sims: GoipSim[] = [];
    const stores: Store[] = [];
    const list = (first: number) =>
      [0, 1, 2].map((i) => (first + i) % 3)
        .map((i) => `127.0.0.1:${g.nodes[i].port}`).join(",");
    const start = async (id: string, node: number, gateways: boolean) => {
      const d = await startDaemon({
        dbBackend: "mysql",
        mysql: { ...g, host: list(node), port: g.nodes[node].port },
        config: { INSTANCE_ID: id, INSTANCE_DEAD_AFTER: DEAD_AFTER },
        gateways: gateways ? [{ ext: EXT, password: GW_PASS }] : [],
      });
      daemons.push(d);
      stores.push(await d.openStore());
      return d;
    };
    try {
      const a = await start("galera-a", 0, true);
      const b = await start("galera-b", 1, false);
      const [onA, onB] = stores; // stores on A's node and on B's node
      const simTo = async (d: DaemonHandle) => {
        const s = await GoipSim.start({
          server: { hostname: "127.0.0.1", port: d.udpPort },
          id: GOIP_ID,
          password: GW_PASS,
          num: LINE_NUM,
          retransmitMs: 1000,
        });
        sims.push(s);
        return s;
      };
      const toA = await simTo(a);
      const toB = await simTo(b);
      const queue = (db: Store, body: string) =>
        db.enqueueOutbox({
          ext: EXT,
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
      const stateOf = async (id: number) => (await onA.outboxItem(id))?.state;
      const waitFinal = (ids: number[], ms = 20_000) =>
        waitFor(
          async () => {
            for (const id of ids) {
              if (!FINAL.has((await stateOf(id)) ?? "")) return false;
            }
            return true;
          },
          ms,
          async () =>
            `every row final: ${
              (await Promise.all(ids.map(stateOf))).join(",")
            }`,
        );
      const handed = () => [...toA.sentSms, ...toB.sentSms].map((s) => s.text);
      const queued: string[] = [];
      /** Queue `n` SMS alternately on A's node and B's node. */
      const queueMany = async (tag: string, n: number) => {
        const ids = [];
        for (let i = 0; i < n; i++) {
          const body = `${tag} ${i}`;
          queued.push(body);
          ids.push(await queue(i % 2 ? onB : onA, body));
        }
        return ids;
      };

      await t.step(
        "the line's keepalives move from A to B: each SMS handed once, none lost",
        async () => {
          assert.equal(await toA.keepalive(), "reg:1;status:200;");
          const first = await queueMany("via A", 10);
          await waitFinal(first);
          assert.equal(
            toB.sentSms.length,
            0,
            "B sends nothing it does not own",
          );

          assert.equal(await toB.keepalive(), "reg:1;status:200;");
          const second = await queueMany("via B", 10);
          await waitFinal(second);
          assert.equal(
            toA.sentSms.length,
            10,
            "A sends nothing after the move",
          );
          for (const id of [...first, ...second]) {
            assert.equal(await stateOf(id), "sent", `#${id}`);
          }
          assert.equal(handed().length, 20, "each SMS handed to the GoIP once");
          assert.deepEqual(new Set(handed()), new Set(queued));
        },
      );

      await t.step(
        "kill -9 of the owner mid-send: uncertain, never resent; the next SMS goes out through A",
        async () => {
          toB.smsBehaviour = "sent-silent"; // B's send never completes
          const cut = await queue(onB, "cut off");
          await toB.waitForSms(11, 10_000);
          assert.equal(await stateOf(cut), "sending");
          await b.kill();
          const killedAt = Date.now();
          const next = await queue(onA, "after failover");
          // The virtual IP moves: the GoIP's keepalives (every second here)
          // reach A from now on.
          let beating = true;
          const beats = (async () => {
            while (beating) {
              await toA.keepaliveTry();
              await new Promise((r) => setTimeout(r, 1000));
            }
          })();
          try {
            await waitFor(
              () => toA.sentSms.some((s) => s.text === "after failover"),
              (DEAD_AFTER + 20) * 1000,
              "the next SMS out through A",
            );
            const failoverMs = Date.now() - killedAt;
            await waitFinal([cut, next], (DEAD_AFTER + 10) * 1000);
            const uncertainMs = Date.now() - killedAt;
            console.log(
              `ha galera outbound: kill -9 of the line's owner -> first SMS ` +
                `out through the other daemon after ${failoverMs} ms; the ` +
                `send in flight uncertain after <= ${uncertainMs} ms ` +
                `(INSTANCE_DEAD_AFTER ${DEAD_AFTER} s, keepalive every 1 s)`,
            );
          } finally {
            beating = false;
            await beats;
          }
          assert.equal(await stateOf(cut), "uncertain");
          assert.equal(await stateOf(next), "sent");
          await a.waitForLog(/#\d+ was sending on instance galera-b/);
          assert.equal(
            handed().filter((x) => x === "cut off").length,
            1,
            "the send in flight is never handed again",
          );
          assert.equal(handed().length, 22);
          const depths = await onA.queueDepths();
          assert.deepEqual([depths.outboxQueued, depths.outboxSending], [0, 0]);
        },
      );
    } catch (err) {
      for (const d of daemons) {
        console.log(d.logs().split("\n").slice(-40).join("\n"));
      }
      throw err;
    } finally {
      for (const s of stores) await s.close().catch(() => {});
      for (const s of sims) await s.close().catch(() => {});
      for (const d of daemons) await d.stop().catch(() => d.kill());
      await g.stop();
    }
  },
});
