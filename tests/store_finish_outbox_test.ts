/**
 * An outbox row's outcome and the message telling its user are written in
 * one transaction (`finishOutbox`): when the message cannot be written, the
 * row keeps its earlier state, so the outcome's spooled copy, replayed
 * later, still applies and the user is told. Likewise a queue item that
 * expires or a send reported uncertain. On SQLite and a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract, type StoreCtx } from "./support/store_backend.ts";
import { Hub } from "../src/hub.ts";
import { createLogger } from "../src/log.ts";
import {
  OUTBOUND_RECORD,
  replayOutcome,
  type SpooledOutcome,
} from "../src/outbound/mod.ts";
import { reportFinal, reportOutcome } from "../src/outbound/report.ts";
import type {
  LineState,
  NewOutboxItem,
  OutboxItem,
  Store,
} from "../src/store/types.ts";
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
const SMS: NewOutboxItem = {
  ...USSD,
  kind: "sms",
  number: "+3725550000",
  body: "hello",
  stanzaId: "s1",
};

const LINE: LineState = lineStateFixture({ owner: "A" });

const deps = (store: Store) => ({
  store,
  hub: new Hub(),
  log: createLogger({ level: "error", journald: true, write: () => {} }),
});

/** An item claimed (`sending`) by instance A. */
async function claimed(store: Store, item: NewOutboxItem): Promise<OutboxItem> {
  await store.saveLineState(LINE);
  const id = await store.enqueueOutbox(item);
  assert.equal(await store.claimOutbox(id, "A", 7, 1), true);
  return (await store.outboxItem(id))!;
}

/** From now on every insert into the inbox fails (a trigger raises). */
async function inboxRefuses(ctx: StoreCtx): Promise<void> {
  await ctx.raw(
    ctx.dialect === "sqlite"
      ? "CREATE TRIGGER inbox_refuses BEFORE INSERT ON goippy_inbox " +
        "BEGIN SELECT RAISE(ABORT, 'inbox refuses'); END"
      : "CREATE TRIGGER inbox_refuses BEFORE INSERT ON goippy_inbox " +
        "FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inbox refuses'",
  );
}

async function inboxTakes(ctx: StoreCtx): Promise<void> {
  await ctx.raw("DROP TRIGGER inbox_refuses");
}

const inbox = async (store: Store) =>
  (await store.pendingInbox(100)).map((r) => r.body);

storeContract("an outcome and its message to the user in one transaction", [
  {
    name: "the row changes and the message is queued together",
    async fn({ store }) {
      const item = await claimed(store, USSD);
      const ok = await store.finishOutbox(
        item.id,
        { state: "sent", result: "Balance 5" },
        { state: "sending", claimedBy: "A" },
        { ...notice(item), body: "[USSD] Balance 5" },
      );
      assert.equal(ok, true);
      assert.equal((await store.outboxItem(item.id))?.state, "sent");
      assert.deepEqual(await inbox(store), ["[USSD] Balance 5"]);
    },
  },
  {
    name: "a row no longer as expected: nothing changes, no message",
    async fn({ store }) {
      const item = await claimed(store, USSD);
      const ok = await store.finishOutbox(
        item.id,
        { state: "sent", result: "Balance 5" },
        { state: "sending", claimedBy: "B" },
        notice(item),
      );
      assert.equal(ok, false);
      assert.equal((await store.outboxItem(item.id))?.state, "sending");
      assert.deepEqual(await inbox(store), []);
    },
  },
  {
    name:
      "a USSD answer whose message cannot be written: the row stays sending (and no webhook event); the replay later tells the user once",
    async fn(ctx) {
      const { store } = ctx;
      store.recordWebhookEvents(true);
      const item = await claimed(store, USSD);
      const outcome = {
        state: "sent",
        smsNo: null,
        result: "Balance 5.00 EUR",
      } as const;
      await inboxRefuses(ctx);
      await assert.rejects(
        reportOutcome({ ...deps(store), instanceId: "A" }, item, outcome),
        /inbox refuses/,
      );
      const row = await store.outboxItem(item.id);
      assert.deepEqual([row?.state, row?.result], ["sending", ""]);
      assert.deepEqual(await store.webhookEventsAfter(0, 10), []);
      await inboxTakes(ctx);
      const spooled: SpooledOutcome = {
        type: OUTBOUND_RECORD,
        kind: "final",
        instanceId: "A",
        item,
        outcome,
      };
      assert.equal(await replayOutcome(deps(store), spooled), "stored");
      assert.equal((await store.outboxItem(item.id))?.state, "sent");
      assert.deepEqual(await inbox(store), ["[USSD] Balance 5.00 EUR"]);
      assert.deepEqual(
        (await store.webhookEventsAfter(0, 10)).map((e) => e.event),
        ["ussd.received"],
      );
      assert.equal(await replayOutcome(deps(store), spooled), "duplicate");
      assert.equal((await inbox(store)).length, 1);
    },
  },
  {
    name:
      "an SMS refused by the GoIP whose error cannot be written: the row stays sending; the replay fails it and tells the user",
    async fn(ctx) {
      const { store } = ctx;
      const item = await claimed(store, SMS);
      const outcome = {
        state: "failed",
        reason: { code: "goip-error", why: "ERROR 7 busy", maybeSent: false },
      } as const;
      await inboxRefuses(ctx);
      await assert.rejects(
        reportOutcome({ ...deps(store), instanceId: "A" }, item, outcome),
        /inbox refuses/,
      );
      assert.equal((await store.outboxItem(item.id))?.state, "sending");
      await inboxTakes(ctx);
      const spooled: SpooledOutcome = {
        type: OUTBOUND_RECORD,
        kind: "final",
        instanceId: "A",
        item,
        outcome,
      };
      assert.equal(await replayOutcome(deps(store), spooled), "stored");
      assert.equal((await store.outboxItem(item.id))?.state, "failed");
      const sent = await store.pendingInbox(10);
      assert.deepEqual(sent.map((r) => [r.kind, r.refId]), [["error", "s1"]]);
    },
  },
  {
    name:
      "a late USSD answer whose message cannot be written: the row stays failed; the replay tells the user",
    async fn(ctx) {
      const { store } = ctx;
      const item = await claimed(store, USSD);
      await reportFinal(
        { ...deps(store), instanceId: "A" },
        item,
        "failed",
        "no answer",
        { state: "sending", claimedBy: "A" },
      );
      const before = await inbox(store);
      await inboxRefuses(ctx);
      const late: SpooledOutcome = {
        type: OUTBOUND_RECORD,
        kind: "late",
        item,
        reply: { type: "reply", kind: "ussd", sendid: 7, text: "Balance 1" },
      };
      await assert.rejects(replayOutcome(deps(store), late), /inbox refuses/);
      assert.equal((await store.outboxItem(item.id))?.state, "failed");
      await inboxTakes(ctx);
      assert.equal(await replayOutcome(deps(store), late), "stored");
      assert.deepEqual(await inbox(store), [...before, "[USSD] Balance 1"]);
    },
  },
]);

storeContract(
  "a row moved to a final state and its user's message in one transaction",
  [
    {
      name:
        "expired: when the message cannot be written the row stays queued; then it expires once with its message and one webhook event",
      async fn(ctx) {
        const { store, clock } = ctx;
        store.recordWebhookEvents(true);
        const id = await store.enqueueOutbox(SMS);
        clock.advance(1000);
        const expire = () =>
          store.expireQueued(
            clock.now(),
            () => "expired",
            (item) => ({ ...notice(item), body: "too late" }),
          );
        await inboxRefuses(ctx);
        await assert.rejects(expire(), /inbox refuses/);
        assert.equal((await store.outboxItem(id))?.state, "queued");
        await inboxTakes(ctx);
        assert.deepEqual((await expire()).map((r) => r.id), [id]);
        assert.equal((await store.outboxItem(id))?.state, "expired");
        assert.deepEqual(await inbox(store), ["too late"]);
        assert.deepEqual(
          (await store.webhookEventsAfter(0, 10)).map((e) => e.event),
          ["sms.failed"],
        );
        assert.deepEqual(await expire(), []);
      },
    },
    {
      name:
        "interrupted: when the message cannot be written the row stays sending; then it becomes uncertain once with its message",
      async fn(ctx) {
        const { store } = ctx;
        const item = await claimed(store, SMS);
        const mark = () =>
          store.markInterruptedUncertain(
            ["A"],
            () => "interrupted",
            (i) => ({ ...notice(i), body: "may not have gone" }),
          );
        await inboxRefuses(ctx);
        await assert.rejects(mark(), /inbox refuses/);
        assert.equal((await store.outboxItem(item.id))?.state, "sending");
        await inboxTakes(ctx);
        assert.deepEqual((await mark()).map((r) => r.id), [item.id]);
        assert.equal((await store.outboxItem(item.id))?.state, "uncertain");
        assert.deepEqual(await inbox(store), ["may not have gone"]);
        assert.deepEqual(await mark(), []);
      },
    },
  ],
);

/** A message to the item's user (the body is the test's business). */
function notice(item: OutboxItem) {
  return {
    kind: "chat" as const,
    fromJid: item.toJid,
    toJid: item.fromJid,
    body: "note",
    refId: "",
    goipId: item.goipId,
  };
}
