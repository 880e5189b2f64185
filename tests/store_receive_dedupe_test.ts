/**
 * Store contract, the RECEIVE dedupe key: a retransmission repeats the whole
 * event (line, counter, sender, text) and is stored once; another SMS that
 * reuses a counter (the GoIP rebooted) is stored and delivered. Counters
 * remembered before the content was part of the key are upgraded in place.
 * Runs on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import type { IncomingSms, Store } from "../src/store/types.ts";

const MIN = 60_000;
const T0 = 1_800_000_000_000;

function sms(n: number, srcnum: string, body: string): IncomingSms {
  return {
    goipId: "goippy_2001",
    ext: "2001",
    n,
    srcnum,
    body,
    delivery: {
      kind: "chat",
      fromJid: `${srcnum}@sms.example.org`,
      toJid: "2001@example.org",
      body,
      refId: "",
      goipId: "goippy_2001",
    },
  };
}

const A = "+79995556677";
const B = "+3725551234";

async function delivered(store: Store): Promise<string[]> {
  return (await store.pendingInbox(100)).map((i) => i.body);
}

storeContract("RECEIVE dedupe key", [
  {
    name: "counter reuse: a retransmission once, a new SMS reusing n stored",
    async fn({ store }) {
      const receive = (m: IncomingSms, at: number) =>
        store.storeIncomingSms(m, 5 * MIN, at);
      assert.equal(await receive(sms(1, A, "one"), T0), "stored");
      assert.equal(await receive(sms(2, A, "two"), T0 + 100), "stored");
      assert.equal(await receive(sms(3, A, "three"), T0 + 200), "stored");
      // The GoIP missed our ack and sends RECEIVE:2 again.
      assert.equal(await receive(sms(2, A, "two"), T0 + 2000), "duplicate");
      // It rebooted: its counter starts over, with other SMS.
      assert.equal(
        await receive(sms(1, B, "after reboot"), T0 + MIN),
        "stored",
      );
      assert.equal(await receive(sms(2, B, "and more"), T0 + MIN), "stored");
      assert.equal(
        await receive(sms(1, B, "after reboot"), T0 + MIN + 500),
        "duplicate",
      );
      assert.deepEqual(await delivered(store), [
        "one",
        "two",
        "three",
        "after reboot",
        "and more",
      ]);
    },
  },
  {
    name: "two different SMS with the same n in one second are both stored",
    async fn({ store }) {
      assert.equal(
        await store.storeIncomingSms(sms(5, A, "first"), 5 * MIN, T0),
        "stored",
      );
      assert.equal(
        await store.storeIncomingSms(sms(5, A, "second"), 5 * MIN, T0 + 400),
        "stored",
      );
      // Same text from another sender is another SMS too; in one batch, a
      // repeat of the same event is still a copy.
      assert.deepEqual(
        await store.storeIncomingBatch(
          [
            sms(6, A, "hi"),
            sms(6, B, "hi"),
            sms(6, A, "hi"),
          ],
          5 * MIN,
          T0 + 900,
        ),
        ["stored", "stored", "duplicate"],
      );
      assert.deepEqual(await delivered(store), ["first", "second", "hi", "hi"]);
    },
  },
  {
    name: "a batch writes a webhook event per stored SMS while events are on",
    async fn({ store }) {
      await store.storeIncomingBatch([sms(7, A, "quiet")], 5 * MIN, T0);
      assert.deepEqual(await store.webhookEventsAfter(0, 10), []);
      store.recordWebhookEvents(true);
      assert.deepEqual(
        await store.storeIncomingBatch(
          [sms(8, A, "loud"), sms(8, A, "loud"), sms(9, B, "too")],
          5 * MIN,
          T0 + 100,
        ),
        ["stored", "duplicate", "stored"],
      );
      const events = await store.webhookEventsAfter(0, 10);
      assert.equal(events.length, 2);
      assert.ok(events[0].payload.includes("loud"), events[0].payload);
      assert.ok(events[1].payload.includes("too"), events[1].payload);
    },
  },
  {
    name: "counters remembered by schema 3 are kept and still catch copies",
    async fn({ raw, reopen, clock }) {
      // goippy_receive_seen as schema 3 left it, with one counter in it.
      await raw("DROP TABLE goippy_receive_seen");
      await raw(
        "CREATE TABLE goippy_receive_seen (goip_id VARCHAR(64) NOT NULL, " +
          "n BIGINT NOT NULL, seen_ms BIGINT NOT NULL, PRIMARY KEY (goip_id, n))",
      );
      await raw(
        "CREATE INDEX goippy_receive_seen_age ON goippy_receive_seen " +
          "(goip_id, seen_ms)",
      );
      const seen = clock.now();
      await raw(
        "INSERT INTO goippy_receive_seen (goip_id, n, seen_ms) " +
          `VALUES ('goippy_2001', 9, ${seen})`,
      );
      await raw(
        "UPDATE goippy_meta SET meta_value = '3' " +
          "WHERE meta_key = 'schema_version'",
      );
      const s = await reopen();
      assert.deepEqual(
        (await raw(
          "SELECT goip_id, n, content_hash, seen_ms FROM goippy_receive_seen",
        )).map((r) => ({ ...r, n: Number(r.n), seen_ms: Number(r.seen_ms) })),
        [{ goip_id: "goippy_2001", n: 9, content_hash: "", seen_ms: seen }],
      );
      // Its content is unknown: within the window any RECEIVE:9 is a copy.
      assert.equal(
        await s.storeIncomingSms(sms(9, A, "resent"), 5 * MIN, seen + MIN),
        "duplicate",
      );
      // After the window it is an SMS like any other, and stays one.
      assert.equal(
        await s.storeIncomingSms(sms(9, A, "new"), 5 * MIN, seen + 6 * MIN),
        "stored",
      );
      assert.equal(
        await s.storeIncomingSms(sms(9, A, "new"), 5 * MIN, seen + 7 * MIN),
        "duplicate",
      );
      assert.deepEqual(await delivered(s), ["new"]);
    },
  },
]);
