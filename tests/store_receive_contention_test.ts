/**
 * Store contract, RECEIVE under contention: several stores (separate
 * connections, as several goippy processes on one database) store the same
 * overlapping RECEIVE batches at once, in different orders, while counters
 * leave the dedupe window and come back. Every SMS is stored exactly once and
 * no store gives up on a lock. Runs on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import type { IncomingSms, Store } from "../src/store/types.ts";

const STORES = 4;
const ROUNDS = 12;
const PER_ROUND = 24;
const WINDOW_MS = 1000;
const LINES = ["goippy_2001", "goippy_2002"];

function sms(goipId: string, n: number): IncomingSms {
  const body = `${goipId} #${n}`;
  return {
    goipId,
    ext: goipId.slice(-4),
    n,
    srcnum: "+1",
    body,
    delivery: {
      kind: "chat",
      fromJid: "+1@sms.example.org",
      toJid: "2001@example.org",
      body,
      refId: "",
      goipId,
    },
  };
}

/** A fixed shuffle per (store, round): every store locks in its own order. */
function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed * 2654435761 + 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Round `r` stores counters `r*8 … r*8+23` of both lines at one clock
 * instant, one window after the round before: a third of them were seen a
 * round ago (now out of the window: stored again), the rest are new or
 * were forgotten.
 */
function roundBatch(r: number): IncomingSms[] {
  const list: IncomingSms[] = [];
  for (const line of LINES) {
    for (let i = 0; i < PER_ROUND; i++) list.push(sms(line, r * 8 + i));
  }
  return list;
}

storeContract("RECEIVE under contention", [
  {
    name: "overlapping batches from four stores: each SMS stored exactly once",
    async fn({ store, second, raw, mariadb }) {
      const stores: Store[] = [store];
      for (let i = 1; i < STORES; i++) stores.push(await second());
      const t0 = 1_800_000_000_000;
      for (let r = 0; r < ROUNDS; r++) {
        const now = t0 + r * (WINDOW_MS + 1);
        const batch = roundBatch(r);
        const results = await Promise.all(stores.map((s, k) => {
          const mine = shuffled(batch, r * STORES + k);
          // Half the stores write singles, half batches (both paths lock).
          return k % 2 === 0
            ? s.storeIncomingBatch(mine, WINDOW_MS, now)
            : Promise.all(
              mine.map((m) => s.storeIncomingSms(m, WINDOW_MS, now)),
            );
        }));
        const stored = results.flat().filter((x) => x === "stored").length;
        assert.equal(stored, batch.length, `round ${r}: stored once each`);
      }
      assert.equal(
        (await store.queueDepths()).inboxPending,
        ROUNDS * LINES.length * PER_ROUND,
      );
      if (mariadb) {
        // A deadlock retried by the driver still costs a rollback and a
        // wait; the locks taken must never form a cycle in the first place.
        const rows = await raw("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'");
        assert.equal(Number(rows[0].Value), 0, "InnoDB deadlocks");
      }
    },
  },
]);
