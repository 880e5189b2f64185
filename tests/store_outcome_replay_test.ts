/**
 * Replaying a spooled send outcome into the store (`replayOutcome`): the
 * row finishes as the GoIP said and the user is told once; replaying again,
 * or after the live write got through after all, changes nothing and tells
 * nobody anything more; a row another instance reported uncertain meanwhile
 * becomes `sent` when the GoIP said so (its failure leaves it uncertain). On
 * SQLite and a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import { Hub } from "../src/hub.ts";
import { createLogger } from "../src/log.ts";
import {
  OUTBOUND_RECORD,
  replayOutcome,
  type SpooledOutcome,
} from "../src/outbound/mod.ts";
import { reportOutcome } from "../src/outbound/report.ts";
import type { LineState, NewOutboxItem, Store } from "../src/store/types.ts";
import { lineStateFixture } from "./support/line_state.ts";

const USSD: NewOutboxItem = {
  ext: "2001",
  goipId: "goippy_2001",
  kind: "ussd",
  number: "",
  body: "*100#",
  fromJid: "2001@example.org",
  toJid: "+3725550000@sms.example.org",
  stanzaId: "u1",
  wantReceipt: false,
  origin: "xmpp",
};

const LINE: LineState = lineStateFixture({ owner: "A" });

const deps = (store: Store) => ({
  store,
  hub: new Hub(),
  log: createLogger({ level: "error", journald: true, write: () => {} }),
});

/** A USSD request claimed (`sending`) by instance A, and its spooled answer. */
async function claimed(
  store: Store,
  item: NewOutboxItem = USSD,
): Promise<Extract<SpooledOutcome, { kind: "final" }>> {
  await store.saveLineState(LINE);
  const id = await store.enqueueOutbox(item);
  assert.equal(await store.claimOutbox(id, "A", 7, 1), true);
  return {
    type: OUTBOUND_RECORD,
    kind: "final",
    instanceId: "A",
    item: (await store.outboxItem(id))!,
    outcome: { state: "sent", smsNo: null, result: "Balance 5.00 EUR" },
  };
}

const answers = async (store: Store) =>
  (await store.pendingInbox(100)).filter((r) =>
    r.body === "[USSD] Balance 5.00 EUR"
  ).length;

storeContract("replay of a spooled send outcome", [
  {
    name:
      "a USSD answer: the row becomes sent, the user gets it once; a second replay is a duplicate",
    async fn({ store }) {
      const o = await claimed(store);
      assert.equal(await replayOutcome(deps(store), o), "stored");
      const row = await store.outboxItem(o.item.id);
      assert.deepEqual([row?.state, row?.result], ["sent", "Balance 5.00 EUR"]);
      assert.equal(await answers(store), 1);
      assert.equal(await replayOutcome(deps(store), o), "duplicate");
      assert.equal(await answers(store), 1);
    },
  },
  {
    name:
      "the live write got through after all (it only timed out): the replay is a duplicate",
    async fn({ store }) {
      const o = await claimed(store);
      assert.equal(
        await reportOutcome(
          { ...deps(store), instanceId: "A" },
          o.item,
          o.outcome,
        ),
        true,
      );
      assert.equal(await replayOutcome(deps(store), o), "duplicate");
      assert.equal(await answers(store), 1);
    },
  },
  {
    name:
      "a USSD row another instance reported uncertain meanwhile: the answer makes it sent and reaches the user once",
    async fn({ store }) {
      const o = await claimed(store);
      await store.markInterruptedUncertain(["A"], () => "interrupted");
      assert.equal(await replayOutcome(deps(store), o), "stored");
      const row = await store.outboxItem(o.item.id);
      assert.deepEqual([row?.state, row?.result, row?.error], [
        "sent",
        "Balance 5.00 EUR",
        "",
      ]);
      assert.equal(await answers(store), 1);
      assert.equal(await replayOutcome(deps(store), o), "duplicate");
      assert.equal(await answers(store), 1);
    },
  },
  {
    name:
      "an SMS reported uncertain meanwhile: its OK makes it sent with its sms_no (a DELIVER then matches), nothing more to the user",
    async fn({ store }) {
      const o = await claimed(store, { ...USSD, kind: "sms", number: "+1" });
      await store.markInterruptedUncertain(["A"], () => "interrupted");
      const before = (await store.pendingInbox(100)).length;
      const ok: SpooledOutcome = {
        ...o,
        outcome: { state: "sent", smsNo: 42, result: "" },
      };
      assert.equal(await replayOutcome(deps(store), ok), "stored");
      const row = await store.outboxItem(o.item.id);
      assert.deepEqual([row?.state, row?.smsNo], ["sent", 42]);
      assert.equal(
        (await store.findSentBySmsNo("goippy_2001", 42, 0))?.id,
        o.item.id,
      );
      assert.equal((await store.pendingInbox(100)).length, before);
    },
  },
  {
    name:
      "an SMS reported uncertain meanwhile: the GoIP's ERROR leaves it uncertain, the user is not told twice",
    async fn({ store }) {
      const o = await claimed(store, { ...USSD, kind: "sms", number: "+1" });
      await store.markInterruptedUncertain(["A"], () => "interrupted");
      const failed: SpooledOutcome = {
        ...o,
        outcome: {
          state: "failed",
          reason: { code: "goip-error", why: "ERROR 7 busy" },
        },
      };
      assert.equal(await replayOutcome(deps(store), failed), "duplicate");
      assert.deepEqual(
        [(await store.outboxItem(o.item.id))?.state],
        ["uncertain"],
      );
      assert.equal((await store.pendingInbox(100)).length, 0);
    },
  },
  {
    name:
      "the live write after another instance reported the row uncertain: the answer still makes it sent",
    async fn({ store }) {
      const o = await claimed(store);
      await store.markInterruptedUncertain(["A"], () => "interrupted");
      assert.equal(
        await reportOutcome(
          { ...deps(store), instanceId: "A" },
          o.item,
          o.outcome,
        ),
        true,
      );
      assert.equal((await store.outboxItem(o.item.id))?.state, "sent");
      assert.equal(await answers(store), 1);
    },
  },
  {
    name: "an uncertain row another instance had claimed stays as it is",
    async fn({ store }) {
      const o = await claimed(store);
      await store.markInterruptedUncertain(["A"], () => "interrupted");
      const other = { ...o, instanceId: "B" };
      assert.equal(await replayOutcome(deps(store), other), "duplicate");
      assert.equal(
        await reportOutcome(
          { ...deps(store), instanceId: "B" },
          o.item,
          o.outcome,
        ),
        false,
      );
      assert.equal((await store.outboxItem(o.item.id))?.state, "uncertain");
      assert.equal(await answers(store), 0);
    },
  },
  {
    name: "an SMS refused before sending goes back to the queue once",
    async fn({ store }) {
      const o = await claimed(store, { ...USSD, kind: "sms", number: "+1" });
      const back: SpooledOutcome = {
        type: OUTBOUND_RECORD,
        kind: "requeue",
        instanceId: "A",
        item: o.item,
        error: "SIM not registered",
      };
      assert.equal(await replayOutcome(deps(store), back), "stored");
      const row = await store.outboxItem(o.item.id);
      assert.deepEqual([row?.state, row?.error], [
        "queued",
        "SIM not registered",
      ]);
      assert.equal(await replayOutcome(deps(store), back), "duplicate");
    },
  },
  {
    name: "a late OK makes an uncertain SMS sent once",
    async fn({ store }) {
      const o = await claimed(store, { ...USSD, kind: "sms", number: "+1" });
      await store.markInterruptedUncertain(["A"], () => "interrupted");
      const late: SpooledOutcome = {
        type: OUTBOUND_RECORD,
        kind: "late",
        item: o.item,
        reply: {
          type: "reply",
          kind: "ok",
          sendid: 7,
          telid: o.item.id,
          smsNo: 42,
        },
      };
      assert.equal(await replayOutcome(deps(store), late), "stored");
      const row = await store.outboxItem(o.item.id);
      assert.deepEqual([row?.state, row?.smsNo], ["sent", 42]);
      assert.equal(await replayOutcome(deps(store), late), "duplicate");
    },
  },
]);
