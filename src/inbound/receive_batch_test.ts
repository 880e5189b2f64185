import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openSqliteStore } from "../store/sqlite.ts";
import type { IncomingSms, Store } from "../store/types.ts";
import { ReceiveBatcher } from "./receive_batch.ts";

function sms(n: number, body = `sms ${n}`): IncomingSms {
  return {
    goipId: "goippy_1",
    ext: "1",
    n,
    srcnum: "+1",
    body,
    delivery: {
      kind: "chat",
      fromJid: "+1@sms.x",
      toJid: "1@x",
      body,
      refId: "",
      goipId: "goippy_1",
    },
  };
}

/** What the batcher uses of a store. */
type Batching = Pick<Store, "storeIncomingSms" | "storeIncomingBatch">;

async function withStore(fn: (s: Store) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-batch-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await fn(store);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ReceiveBatcher: concurrent SMS share transactions, each gets its outcome", () =>
  withStore(async (store) => {
    let batches = 0;
    const counting: Batching = {
      storeIncomingSms: (m, w, now) => store.storeIncomingSms(m, w, now),
      storeIncomingBatch: (list, w, now) => {
        batches++;
        return store.storeIncomingBatch(list, w, now);
      },
    };
    const b = new ReceiveBatcher({ store: counting, windowMs: () => 600_000 });
    const ns = [...Array(50).keys(), 3, 7]; // two repeats inside the burst
    const out = await Promise.all(ns.map((n) => b.store(sms(n))));
    assertEquals(out.filter((o) => o === "stored").length, 50);
    assertEquals(out.slice(50), ["duplicate", "duplicate"]);
    assertEquals((await store.pendingInbox(100)).length, 50);
    assertEquals(batches < 10, true, `${batches} transactions for 52 SMS`);
    assertEquals(await b.store(sms(3)), "duplicate");
    assertEquals(await b.store(sms(99)), "stored");
  }));

Deno.test("ReceiveBatcher: a failed commit fails every SMS of the batch", () =>
  withStore(async (store) => {
    const b = new ReceiveBatcher({ store, windowMs: () => 600_000 });
    await b.store(sms(1));
    await store.close();
    const out = await Promise.allSettled([b.store(sms(2)), b.store(sms(3))]);
    assertEquals(out.map((o) => o.status), ["rejected", "rejected"]);
  }));

Deno.test("ReceiveBatcher: a batch that fails is retried one by one (one bad SMS sinks only itself)", () =>
  withStore(async (store) => {
    const poisoned: Batching = {
      storeIncomingBatch: (list, w, now) =>
        list.some((m) => m.body === "bad")
          ? Promise.reject(new Error("data too long"))
          : store.storeIncomingBatch(list, w, now),
      storeIncomingSms: (m, w, now) =>
        m.body === "bad"
          ? Promise.reject(new Error("data too long"))
          : store.storeIncomingSms(m, w, now),
    };
    const b = new ReceiveBatcher({ store: poisoned, windowMs: () => 600_000 });
    const out = await Promise.allSettled([
      b.store(sms(1)),
      b.store(sms(2, "bad")),
      b.store(sms(3)),
    ]);
    assertEquals(out.map((o) => o.status), [
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    assertEquals((await store.pendingInbox(10)).map((i) => i.body), [
      "sms 1",
      "sms 3",
    ]);
  }));

Deno.test("ReceiveBatcher: the next batch writes while the previous commits, never before its rows are written", () =>
  withStore(async (store) => {
    const events: string[] = [];
    let release!: () => void;
    const firstCommit = new Promise<void>((r) => release = r);
    let calls = 0;
    const gated: Batching = {
      storeIncomingSms: (m, w, now) => store.storeIncomingSms(m, w, now),
      storeIncomingBatch: async (list, w, now, onWritten) => {
        const call = ++calls;
        events.push(`write ${list.map((m) => m.n).join(",")}`);
        const out = await store.storeIncomingBatch(list, w, now);
        onWritten?.();
        // The first batch's commit hangs until the second has written.
        if (call === 1) await firstCommit;
        events.push(`commit ${list.map((m) => m.n).join(",")}`);
        return out;
      },
    };
    const b = new ReceiveBatcher({ store: gated, windowMs: () => 600_000 });
    let firstDone = false;
    const first = b.store(sms(1)).finally(() => firstDone = true);
    await new Promise((r) => setTimeout(r, 0));
    const second = b.store(sms(2));
    // Let the second batch go through, then the first commit (bounded wait:
    // a batcher that waits for the first commit never gets there).
    for (let i = 0; i < 200 && !events.includes("commit 2"); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assertEquals(firstDone, false, "acknowledged before its commit");
    release();
    assertEquals(await Promise.all([first, second]), ["stored", "stored"]);
    assertEquals(events, ["write 1", "write 2", "commit 2", "commit 1"]);
    assertEquals((await store.pendingInbox(10)).map((i) => i.body), [
      "sms 1",
      "sms 2",
    ]);
  }));

Deno.test("ReceiveBatcher: without a written signal, one batch at a time", () =>
  withStore(async (store) => {
    let open = 0;
    let most = 0;
    const plain: Batching = {
      storeIncomingSms: (m, w, now) => store.storeIncomingSms(m, w, now),
      storeIncomingBatch: async (list, w, now) => {
        most = Math.max(most, ++open);
        await new Promise((r) => setTimeout(r, 2));
        const out = await store.storeIncomingBatch(list, w, now);
        open--;
        return out;
      },
    };
    const b = new ReceiveBatcher({ store: plain, windowMs: () => 600_000 });
    const out = [];
    for (let n = 0; n < 20; n++) {
      out.push(b.store(sms(n)));
      await new Promise((r) => setTimeout(r, 0));
    }
    assertEquals((await Promise.all(out)).every((o) => o === "stored"), true);
    assertEquals(most, 1);
  }));
