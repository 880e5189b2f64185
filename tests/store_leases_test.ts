/**
 * Leases: exactly one holder at a time, taken over only once expired, on
 * SQLite and a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";

storeContract("leases", [
  {
    name: "the first taker holds it; another waits until it expires",
    async fn({ store, clock }) {
      const t = clock.now();
      assert.equal(await store.acquireLease("xmpp", "a", t, 10_000), true);
      assert.equal(await store.acquireLease("xmpp", "b", t + 1, 10_000), false);
      // a renews: b still waits past a's first expiry
      assert.equal(
        await store.acquireLease("xmpp", "a", t + 5000, 10_000),
        true,
      );
      assert.equal(
        await store.acquireLease("xmpp", "b", t + 12_000, 10_000),
        false,
      );
      // a stops renewing: b takes it once it expired
      assert.equal(
        await store.acquireLease("xmpp", "b", t + 15_001, 10_000),
        true,
      );
      assert.equal(
        await store.acquireLease("xmpp", "a", t + 15_002, 10_000),
        false,
      );
      const l = await store.lease("xmpp");
      assert.equal(l?.holder, "b");
      assert.equal(l?.acquiredMs, t + 15_001);
      assert.equal(l?.expiresMs, t + 25_001);
    },
  },
  {
    name: "renewing in the same millisecond still holds it",
    async fn({ store, clock }) {
      const t = clock.now();
      assert.equal(await store.acquireLease("h", "a", t, 1000), true);
      assert.equal(await store.acquireLease("h", "a", t, 1000), true);
    },
  },
  {
    name: "a released lease is free at once, and only its holder releases it",
    async fn({ store, clock }) {
      const t = clock.now();
      assert.equal(await store.acquireLease("h", "a", t, 60_000), true);
      await store.releaseLease("h", "b");
      assert.equal(await store.acquireLease("h", "b", t + 1, 60_000), false);
      await store.releaseLease("h", "a");
      assert.equal(await store.acquireLease("h", "b", t + 2, 60_000), true);
    },
  },
  {
    name: "leases are independent by name",
    async fn({ store, clock }) {
      const t = clock.now();
      assert.equal(await store.acquireLease("xmpp", "a", t, 60_000), true);
      assert.equal(
        await store.acquireLease("housekeeping", "b", t, 60_000),
        true,
      );
      assert.equal((await store.lease("xmpp"))?.holder, "a");
      assert.equal((await store.lease("housekeeping"))?.holder, "b");
      assert.equal(await store.lease("none"), undefined);
    },
  },
  {
    name: "many takers at once on two connections: exactly one wins",
    async fn({ store, second, clock }) {
      const other = await second();
      const t = clock.now();
      const takers = Array.from(
        { length: 12 },
        (_, i) =>
          (i % 2 ? other : store).acquireLease("race", `i${i}`, t, 60_000),
      );
      const won = (await Promise.all(takers)).filter(Boolean).length;
      assert.equal(won, 1);
    },
  },
]);
