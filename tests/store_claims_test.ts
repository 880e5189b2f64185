/**
 * Store contract: the compare-and-set transitions that let several
 * instances share one database — outbox claims and final states, inbox
 * claims, the release of a dead instance's rows, line owners. Every case
 * runs on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import type { LineState, NewOutboxItem } from "../src/store/types.ts";

const SMS: NewOutboxItem = {
  ext: "2001",
  goipId: "goippy_2001",
  kind: "sms",
  number: "+3725551234",
  body: "hi",
  fromJid: "",
  toJid: "",
  stanzaId: "",
  wantReceipt: false,
  origin: "cli",
};

function line(goipId: string, owner?: string): LineState {
  return {
    goipId,
    ext: goipId.slice(-4),
    msisdn: "",
    addr: "10.0.0.2:5000",
    lastSeenMs: 1000,
    signal: null,
    gsmStatus: "",
    voipStatus: "",
    voipState: "",
    remainTime: null,
    provider: "",
    disableStatus: null,
    imei: "",
    imsi: "",
    iccid: "",
    ...(owner === undefined ? {} : { owner }),
  };
}

const chat = (body: string) => ({
  kind: "chat" as const,
  fromJid: "+1@sms.example.org",
  toJid: "2001@example.org",
  body,
  refId: "",
  goipId: "goippy_2001",
});

storeContract("claims of several instances", [
  {
    name:
      "outbox: only the line's owner claims, one claim wins; only the claimer finishes the row",
    async fn({ store }) {
      const id = await store.enqueueOutbox(SMS);
      assert.equal(await store.claimOutbox(id, "A", 100, 1), false, "no owner");
      await store.saveLineState(line("goippy_2001", "B"));
      assert.equal(await store.claimOutbox(id, "A", 100, 1), false, "B's");
      await store.saveLineState({
        ...line("goippy_2001", "A"),
        lastSeenMs: 2000,
      });
      assert.equal(await store.claimOutbox(id, "A", 101, 1), true);
      assert.equal(await store.claimOutbox(id, "B", 102, 1), false);
      const row = await store.outboxItem(id);
      assert.deepEqual(
        [row?.state, row?.claimedBy, row?.sendid, row?.attempts],
        ["sending", "A", 101, 1],
      );
      const mine = { state: "sending" as const, claimedBy: "A" };
      assert.equal(
        await store.updateOutbox(id, { state: "sent" }, {
          ...mine,
          claimedBy: "B",
        }),
        false,
      );
      assert.equal(await store.updateOutbox(id, { state: "sent" }, mine), true);
      assert.equal(
        await store.updateOutbox(id, { state: "failed" }, mine),
        false,
        "a final state is final",
      );
      assert.equal((await store.outboxItem(id))?.state, "sent");
    },
  },
  {
    name:
      "outbox: only the named instances' sending rows become uncertain, once",
    async fn({ store }) {
      const ids = [];
      for (const [i, who] of ["A", "B", ""].entries()) {
        const id = await store.enqueueOutbox(SMS);
        if (who) {
          await store.saveLineState({
            ...line("goippy_2001", who),
            lastSeenMs: 1000 + i,
          });
          assert.equal(await store.claimOutbox(id, who, 1, 1), true);
        } else await store.updateOutbox(id, { state: "sending" });
        ids.push(id);
      }
      const moved = await store.markInterruptedUncertain(["B", ""]);
      assert.deepEqual(moved.map((r) => r.id), [ids[1], ids[2]]);
      assert.deepEqual(await store.markInterruptedUncertain(["B", ""]), []);
      assert.equal((await store.outboxItem(ids[0]))?.state, "sending");
      assert.deepEqual(await store.markInterruptedUncertain([]), []);
    },
  },
  {
    name: "inbox: two claimers never get one row; a dead one's rows come back",
    async fn({ store }) {
      const ids = [];
      for (const b of ["one", "two", "three"]) {
        ids.push(await store.enqueueInbox(chat(b)));
      }
      const a = await store.pendingInbox(2, "A");
      const b = await store.pendingInbox(10, "B");
      assert.deepEqual(a.map((r) => r.body), ["one", "two"]);
      assert.deepEqual(b.map((r) => r.body), ["three"]);
      // A asks again (a resend after an unanswered ping): the same rows.
      assert.deepEqual((await store.pendingInbox(10, "A")).length, 2);
      // B cannot mark A's rows done.
      await store.markInboxDone([ids[0]], "B");
      assert.equal((await store.pendingInbox(10)).length, 3);
      await store.markInboxDone([ids[0]], "A");
      // A dies: its undelivered row is released, then claimed by B.
      assert.equal(await store.releaseInboxClaims(["A"]), 1);
      assert.deepEqual(
        (await store.pendingInbox(10, "B")).map((r) => r.body),
        ["two", "three"],
      );
    },
  },
  {
    name: "line owners: kept by a save without one, counted per instance",
    async fn({ store }) {
      await store.saveLineState(line("goippy_2001", "A"));
      await store.saveLineStates([
        line("goippy_2002", "A"),
        line("goippy_2003", "B"),
      ]);
      await store.saveLineState(line("goippy_2001")); // no owner: kept
      assert.equal((await store.lineState("goippy_2001"))?.owner, "A");
      assert.deepEqual(await store.lineOwners(), { A: 2, B: 1 });
      await store.saveLineStates([{
        ...line("goippy_2001", "B"),
        lastSeenMs: 2000,
      }]);
      assert.deepEqual(await store.lineOwners(), { A: 1, B: 2 });
    },
  },
  {
    name:
      "line state: an older state (a late batch of the instance the line left) changes nothing",
    async fn({ store }) {
      const at = (ms: number, owner: string, addr: string) => ({
        ...line("goippy_2001", owner),
        lastSeenMs: ms,
        addr,
      });
      await store.saveLineState(at(5000, "B", "10.0.0.9:7000"));
      await store.saveLineState(at(4000, "A", "10.0.0.2:5000"));
      await store.saveLineStates([at(4500, "A", "10.0.0.2:5000")]);
      const s = await store.lineState("goippy_2001");
      assert.deepEqual([s?.owner, s?.addr, s?.lastSeenMs], [
        "B",
        "10.0.0.9:7000",
        5000,
      ]);
      await store.saveLineStates([at(6000, "A", "10.0.0.2:5000")]);
      assert.equal((await store.lineState("goippy_2001"))?.owner, "A");
    },
  },
]);
