/**
 * Store contract: the outbound driver's batched writes — the heads of many
 * lines claimed in one transaction, many `sent` outcomes recorded in one —
 * keep the compare-and-set rules of the single writes. Every case runs on
 * SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import type {
  LineState,
  NewOutboxItem,
  OutboxItem,
  Store,
} from "../src/store/types.ts";
import { lineStateFixture } from "./support/line_state.ts";

function sms(goipId: string, body: string): NewOutboxItem {
  return {
    ext: goipId.slice(-4),
    goipId,
    kind: "sms",
    number: "+3725551234",
    body,
    fromJid: "",
    toJid: "",
    stanzaId: "",
    wantReceipt: false,
    origin: "cli",
  };
}

function line(goipId: string, owner: string): LineState {
  return lineStateFixture({ goipId, ext: goipId.slice(-4), owner });
}

const USAGE = { hourFromMs: 0, dayFromMs: 0, monthFromMs: 0 };

/** Lines 1001 and 1002 owned by A, 1003 by B; two SMS queued on each. */
async function world(store: Store) {
  const ids: Record<string, number[]> = {};
  for (const [n, owner] of [["1001", "A"], ["1002", "A"], ["1003", "B"]]) {
    const g = `goippy_${n}`;
    await store.saveLineState(line(g, owner));
    ids[g] = [
      await store.enqueueOutbox(sms(g, `${n} first`)),
      await store.enqueueOutbox(sms(g, `${n} second`)),
    ];
  }
  return ids;
}

function claimed(r: unknown): { item: OutboxItem; sendid: number } {
  assert.ok(r && typeof r === "object", `claimed: ${JSON.stringify(r)}`);
  return r as { item: OutboxItem; sendid: number };
}

storeContract("outbox batches", [
  {
    name:
      "lookLines: each line's gateway, state and oldest queued item, absent parts absent",
    async fn({ store }) {
      await store.addGateway({ ext: "1001", goipPass: "pw" });
      await store.addGateway({ ext: "1002", goipPass: "pw" });
      const ids = await world(store);
      await store.updateOutbox(ids.goippy_1002[0], { state: "retracted" });
      const out = await store.lookLines([
        "goippy_1002",
        "goippy_1001",
        "goippy_1003", // a line state and queue, no gateway
        "goippy_9999", // nothing at all
      ]);
      assert.deepEqual(
        out.map((l) => [
          l.gateway?.ext,
          l.line?.owner,
          l.head?.body,
        ]),
        [
          ["1002", "A", "1002 second"],
          ["1001", "A", "1001 first"],
          [undefined, "B", "1003 first"],
          [undefined, undefined, undefined],
        ],
      );
    },
  },
  {
    name:
      "enqueueOutbox: items enqueued at once are all stored, each line's in the order they came",
    async fn({ store }) {
      const lines = ["goippy_1001", "goippy_1002", "goippy_1003"];
      const bodies = Array.from(
        { length: 60 },
        (_, i) => ({ goipId: lines[i % 3], body: `m${i}` }),
      );
      const ids = await Promise.all(
        bodies.map((b) => store.enqueueOutbox(sms(b.goipId, b.body))),
      );
      assert.equal(new Set(ids).size, bodies.length);
      for (const [i, id] of ids.entries()) {
        const row = await store.outboxItem(id);
        assert.deepEqual([row?.goipId, row?.body, row?.state], [
          bodies[i].goipId,
          bodies[i].body,
          "queued",
        ]);
        if (i >= 3) assert.ok(id > ids[i - 3], "a line's ids follow its order");
      }
      assert.equal((await store.nextQueued("goippy_1002"))?.body, "m1");
    },
  },
  {
    name:
      "claimHeads: each line's oldest item, only on the claimer's lines, one per line, as claimed",
    async fn({ store }) {
      const ids = await world(store);
      const before = await store.nextSendId("goippy_1001");
      const out = await store.claimHeads([
        { goipId: "goippy_1002" },
        { goipId: "goippy_1001" },
        { goipId: "goippy_1003" }, // B's line
        { goipId: "goippy_1002" }, // asked twice: one in flight per line
        { goipId: "goippy_9999" }, // nothing queued
      ], "A");
      const a2 = claimed(out[0]);
      const a1 = claimed(out[1]);
      assert.deepEqual(out.slice(2), ["again", "again", null]);
      assert.deepEqual(
        [a1.item.id, a1.item.body, a1.item.state, a1.item.claimedBy],
        [ids.goippy_1001[0], "1001 first", "sending", "A"],
      );
      assert.deepEqual([a2.item.id, a2.item.attempts], [ids.goippy_1002[0], 1]);
      assert.ok(a1.sendid > before, "the line's sendids only grow");
      assert.equal(a1.item.sendid, a1.sendid);
      assert.equal(await store.nextSendId("goippy_1001"), a1.sendid + 1);
      assert.equal(
        (await store.outboxItem(ids.goippy_1003[0]))?.state,
        "queued",
      );
      // The hand-overs are recorded, once per row.
      const usage = await store.sendCounts(USAGE);
      assert.deepEqual(
        [...usage.entries()].map(([g, c]) => [g, c.hour]).sort(),
        [["goippy_1001", 1], ["goippy_1002", 1]],
      );
      // The line's next item only once the head is no longer queued.
      assert.deepEqual(
        (await store.claimHeads([{ goipId: "goippy_1003" }], "B")).map((r) =>
          claimed(r).item.body
        ),
        ["1003 first"],
      );
    },
  },
  {
    name:
      "claimHeads: a head other than the checked one, or retracted meanwhile, is not claimed",
    async fn({ store }) {
      const ids = await world(store);
      const out = await store.claimHeads([
        { goipId: "goippy_1001", checkedId: ids.goippy_1001[1] },
        { goipId: "goippy_1002", checkedId: ids.goippy_1002[0] },
      ], "A");
      assert.equal(out[0], "again");
      assert.equal(claimed(out[1]).item.id, ids.goippy_1002[0]);
      await store.updateOutbox(ids.goippy_1001[0], { state: "retracted" }, {
        state: "queued",
      });
      const next = await store.claimHeads([{ goipId: "goippy_1001" }], "A");
      assert.equal(claimed(next[0]).item.body, "1001 second");
    },
  },
  {
    name:
      "recordSentBatch: only rows still `sending` for the claimer become sent, each logged once",
    async fn({ store }) {
      await world(store);
      const out = await store.claimHeads([
        { goipId: "goippy_1001" },
        { goipId: "goippy_1002" },
      ], "A");
      const [a, b] = out.map((r) => claimed(r).item);
      // b was taken for dead and reported by another instance meanwhile.
      await store.updateOutbox(b.id, { state: "uncertain" }, {
        state: "sending",
      });
      assert.deepEqual(
        await store.recordSentBatch([
          { item: a, smsNo: 7, result: "" },
          { item: b, smsNo: 8, result: "" },
        ], "B"),
        [false, false],
        "not B's rows",
      );
      assert.deepEqual(
        await store.recordSentBatch([
          { item: a, smsNo: 7, result: "" },
          { item: b, smsNo: 8, result: "" },
        ], "A"),
        [true, false],
      );
      const row = await store.outboxItem(a.id);
      assert.deepEqual([row?.state, row?.smsNo], ["sent", 7]);
      assert.equal((await store.outboxItem(b.id))?.state, "uncertain");
      assert.deepEqual(
        await store.recordSentBatch([{ item: a, smsNo: 7, result: "" }], "A"),
        [false],
        "a final state is final",
      );
      assert.deepEqual(await store.trafficCounts(0), [
        { dir: "out", kind: "sms", count: 1 },
      ]);
    },
  },
  {
    name:
      "recordSentBatch: with webhooks on, one sms.sent event per row that became sent",
    async fn({ store }) {
      store.recordWebhookEvents(true);
      await world(store);
      const [a, b] = (await store.claimHeads([
        { goipId: "goippy_1001" },
        { goipId: "goippy_1002" },
      ], "A")).map((r) => claimed(r).item);
      await store.updateOutbox(b.id, { state: "uncertain" }, {
        state: "sending",
      });
      assert.deepEqual(
        await store.recordSentBatch([
          { item: a, smsNo: 7, result: "" },
          { item: b, smsNo: 8, result: "" },
        ], "A"),
        [true, false],
      );
      assert.deepEqual(
        (await store.webhookEventsAfter(0, 10)).map((e) => e.event),
        ["sms.failed", "sms.sent"],
      );
    },
  },
]);
