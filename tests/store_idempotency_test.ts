/**
 * The HTTP API's Idempotency-Keys are remembered for a day, then forgotten by
 * the housekeeping purge: a retry after that queues a new SMS. On SQLite and
 * a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import { createLogger } from "../src/log.ts";
import { IDEMPOTENCY_KEY_MS, startKeyPurge } from "../src/retention.ts";
import type { NewOutboxItem, Store } from "../src/store/types.ts";

const SMS: NewOutboxItem = {
  ext: "2001",
  goipId: "goippy_2001",
  kind: "sms",
  number: "+3725551234",
  body: "Order 17 shipped",
  fromJid: "",
  toJid: "",
  stanzaId: "",
  wantReceipt: false,
  origin: "api",
};

/** One purge as the housekeeping lease holder runs it, on the store's clock. */
async function purgeOnce(store: Store, now: () => number): Promise<number> {
  const log = createLogger({ level: "error", journald: true, write: () => {} });
  const p = startKeyPurge({ store, log, now, intervalMs: 3_600_000 });
  try {
    return await p.first;
  } finally {
    await p.stop();
  }
}

storeContract("Idempotency-Key purge", [
  {
    name: "a key older than a day is forgotten, a fresh one is kept",
    async fn({ store, clock }) {
      const token = (await store.addApiToken({
        name: "shop",
        hash: "h".repeat(64),
        lines: null,
      })).id;
      const old = await store.enqueueOutboxOnce(SMS, token, "order-17");
      assert.equal(old.created, true);
      clock.advance(IDEMPOTENCY_KEY_MS - 60_000);
      const fresh = await store.enqueueOutboxOnce(SMS, token, "order-18");
      // Within the day the first key still answers with its row.
      const again = await store.enqueueOutboxOnce(SMS, token, "order-17");
      assert.deepEqual([again.created, again.item.id], [false, old.item.id]);

      clock.advance(60_001);
      assert.equal(await purgeOnce(store, clock.now), 1);

      const late = await store.enqueueOutboxOnce(SMS, token, "order-17");
      assert.equal(late.created, true, "a retry after the window sends anew");
      assert.notEqual(late.item.id, old.item.id);
      const kept = await store.enqueueOutboxOnce(SMS, token, "order-18");
      assert.deepEqual([kept.created, kept.item.id], [false, fresh.item.id]);
    },
  },
]);
