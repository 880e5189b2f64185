/**
 * Store contract: what a user may do to a queued item (withdraw it, change
 * its text) against the driver's claim — compare-and-set on `queued`, so
 * whichever comes first wins. Every case runs on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import type { NewOutboxItem } from "../src/store/types.ts";

function out(over: Partial<NewOutboxItem> = {}): NewOutboxItem {
  return {
    ext: "2001",
    goipId: "goippy_2001",
    kind: "sms",
    number: "+3725551234",
    body: "Meet at 7",
    fromJid: "2001@example.org/phone",
    toJid: "+3725551234@sms.example.org",
    stanzaId: "orig-1",
    wantReceipt: false,
    origin: "xmpp",
    ...over,
  };
}

const KEY = {
  goipId: "goippy_2001",
  number: "+3725551234",
  fromBare: "2001@example.org",
  stanzaId: "orig-1",
};

storeContract("outbox edits", [
  {
    name:
      "findUserItem: same id, number, line and user (any resource); newest first",
    async fn({ store }) {
      const first = await store.enqueueOutbox(out());
      await store.enqueueOutbox(out({ fromJid: "2002@example.org/x" }));
      await store.enqueueOutbox(out({ number: "+3725559999" }));
      await store.enqueueOutbox(out({ goipId: "goippy_2002" }));
      await store.enqueueOutbox(out({ stanzaId: "other" }));
      assert.equal((await store.findUserItem(KEY))?.id, first);
      const second = await store.enqueueOutbox(
        out({ fromJid: "2001@example.org/laptop" }),
      );
      assert.equal((await store.findUserItem(KEY))?.id, second);
      assert.equal(
        await store.findUserItem({ ...KEY, stanzaId: "" }),
        undefined,
      );
      assert.equal(
        await store.findUserItem({ ...KEY, fromBare: "2003@example.org" }),
        undefined,
      );
    },
  },
  {
    name: "withdraw and claim: the first wins, the second sees it",
    async fn({ store }) {
      const a = await store.enqueueOutbox(out());
      assert.equal(await store.withdrawQueued(a, "withdrawn"), true);
      assert.equal(await store.claimQueued(a, 1_800_000_001, 1), undefined);
      assert.equal(await store.withdrawQueued(a, "withdrawn"), false);
      const row = (await store.outboxItem(a))!;
      assert.deepEqual([row.state, row.error, row.sendid], [
        "retracted",
        "withdrawn",
        null,
      ]);
      assert.equal(await store.nextQueued("goippy_2001"), undefined);

      const b = await store.enqueueOutbox(out({ stanzaId: "orig-2" }));
      const claimed = await store.claimQueued(b, 1_800_000_002, 1);
      assert.deepEqual(
        [claimed?.state, claimed?.sendid, claimed?.attempts],
        ["sending", 1_800_000_002, 1],
      );
      assert.equal(await store.withdrawQueued(b, "withdrawn"), false);
      assert.equal((await store.outboxItem(b))!.state, "sending");
    },
  },
  {
    name: "replace text: only while queued; the claim carries the new text",
    async fn({ store }) {
      const a = await store.enqueueOutbox(out());
      assert.equal(await store.replaceQueuedBody(a, "Meet at 9 🙂"), true);
      assert.equal(await store.replaceQueuedBody(a, "Meet at 9 🙂"), true);
      const claimed = await store.claimQueued(a, 1_800_000_003, 1);
      assert.equal(claimed?.body, "Meet at 9 🙂");
      assert.equal(await store.replaceQueuedBody(a, "too late"), false);
      assert.equal((await store.outboxItem(a))!.body, "Meet at 9 🙂");
    },
  },
]);
