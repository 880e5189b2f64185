/**
 * Two daemons on different nodes of a real 3-node Galera cluster (started
 * once for the file), XMPP off, one simulated GoIP line:
 * - the GoIP's traffic moves from daemon A to daemon B (as a virtual IP
 *   would): every SMS acked is stored exactly once;
 * - the same RECEIVE arrives at both daemons at once (a resend during the
 *   move): the two nodes' transactions conflict at certification, the loser
 *   is run again and finds the dedupe mark: stored once, acked by both;
 * - a Galera node is SIGKILLed in the middle of a stream: the daemon on it
 *   moves to the next node of its DB_HOST list, the GoIP's resends cover the
 *   gap, every SMS stored exactly once.
 */

import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import {
  EXT,
  GOIP_ID,
  GW_PASS,
  LINE_NUM,
  receiveStream,
} from "./support/fault_rig.ts";
import {
  type Galera,
  GALERA_MISSING,
  haveGalera,
  startGalera,
} from "./support/galera.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { waitFor } from "./support/poll.ts";

/** Bodies of the chat rows in the inbox, read on node `at`. */
async function storedBodies(g: Galera, at: number): Promise<string[]> {
  const c = await mysql.createConnection({
    host: g.host,
    port: g.nodes[at].port,
    user: g.user,
    password: g.password,
    database: g.database,
  });
  try {
    // Read what the cluster committed, not what this node applied so far.
    await c.query("SET SESSION wsrep_sync_wait = 1");
    const [rows] = await c.query(
      "SELECT body FROM goippy_inbox WHERE kind = 'chat' ORDER BY id",
    );
    return (rows as { body: string }[]).map((r) => r.body);
  } finally {
    await c.end();
  }
}

/** A GoIP channel talking to `d`, registered by a keepalive. */
async function sim(d: DaemonHandle, counterStart: number): Promise<GoipSim> {
  const s = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: d.udpPort },
    id: GOIP_ID,
    password: GW_PASS,
    num: LINE_NUM,
    counterStart,
    retransmitMs: 1000,
    retransmits: 6,
  });
  assert.equal(await s.keepalive(), "reg:1;status:200;");
  return s;
}

function acked(m: Map<string, boolean>): string[] {
  return [...m].filter(([, ok]) => ok).map(([b]) => b);
}

Deno.test({
  name:
    "HA Galera: daemons on different nodes; traffic moved, doubled, a node killed: every SMS stored once",
  ignore: !haveGalera(),
  async fn(t) {
    if (!haveGalera()) throw new Error(GALERA_MISSING);
    const g = await startGalera();
    const daemons: DaemonHandle[] = [];
    const sims: GoipSim[] = [];
    const list = (first: number) =>
      [0, 1, 2].map((i) => (first + i) % 3)
        .map((i) => `127.0.0.1:${g.nodes[i].port}`).join(",");
    const start = async (id: string, node: number, gateways: boolean) => {
      const d = await startDaemon({
        dbBackend: "mysql",
        mysql: { ...g, host: list(node), port: g.nodes[node].port },
        config: { INSTANCE_ID: id, INSTANCE_DEAD_AFTER: 3 },
        gateways: gateways ? [{ ext: EXT, password: GW_PASS }] : [],
      });
      daemons.push(d);
      return d;
    };
    try {
      const a = await start("galera-a", 0, true);
      const b = await start("galera-b", 1, false);

      await t.step("traffic moves from A to B", async () => {
        const toA = await sim(a, 1000);
        sims.push(toA);
        const first = await receiveStream(toA, 3, 10);
        await toA.close();
        const toB = await sim(b, 2000);
        sims.push(toB);
        const second = await receiveStream(toB, 3, 10);
        // Same bodies in both streams, other counters: 60 distinct SMS.
        assert.equal(acked(first).length + acked(second).length, 60);
        const stored = await storedBodies(g, 2);
        assert.equal(stored.length, 60, "stored once each (read on node 3)");
      });

      await t.step(
        "the same RECEIVE at both daemons at once: stored once",
        async () => {
          const toA = await sim(a, 3000);
          const toB = sims[sims.length - 1];
          sims.push(toA);
          const before = (await storedBodies(g, 0)).length;
          const pairs = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              Promise.all([
                toA.receive("+37256200000", `both ${i}`, { n: 5000 + i }),
                toB.receive("+37256200000", `both ${i}`, { n: 5000 + i }),
              ])),
          );
          for (const [x, y] of pairs) {
            assert.ok(x.acked && y.acked, "both acked");
          }
          const stored = (await storedBodies(g, 2)).slice(before);
          assert.equal(stored.length, 20, `stored once each: ${stored.length}`);
          assert.equal(new Set(stored).size, 20);
        },
      );

      await t.step(
        "a Galera node killed mid-stream: every SMS stored once",
        async () => {
          const toA = await sim(a, 4000);
          sims.push(toA);
          const before = (await storedBodies(g, 2)).length;
          let acks = 0;
          const stream = receiveStream(toA, 4, 15, () => acks++);
          await waitFor(() => acks >= 15, 20_000, () => `15 acks (${acks})`);
          await g.nodes[0].kill(); // A's node
          const got = await stream;
          assert.equal(acked(got).length, 60, "every SMS acked (resends)");
          // SMS acked into the local spool while A's node was away reach the
          // database when A's replay runs on the next node.
          let stored: string[] = [];
          await waitFor(
            async () => {
              stored = (await storedBodies(g, 2)).slice(before);
              return new Set(stored).size >= 60;
            },
            30_000,
            () => `60 SMS stored (${new Set(stored).size})`,
          );
          assert.equal(new Set(stored).size, 60, "every SMS stored");
          assert.equal(stored.length, 60, "none stored twice");
          assert.match(a.logs(), /store: 127\.0\.0\.1:\d+ failed .*; using/);
        },
      );
    } catch (err) {
      for (const d of daemons) {
        console.log(d.logs().split("\n").slice(-40).join("\n"));
      }
      throw err;
    } finally {
      for (const s of sims) await s.close().catch(() => {});
      for (const d of daemons) await d.stop().catch(() => d.kill());
      await g.stop();
    }
  },
});
