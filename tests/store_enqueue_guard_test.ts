/**
 * Store contract: a send-limit guard checked inside the enqueue's
 * transaction — SMS queued at once are taken exactly up to the limit, the
 * rest refused with the guard's own error (a {@linkcode SendLimitError}
 * with the limit's reset time), nothing written for them; with or without
 * an Idempotency-Key. Runs on SQLite (both drivers, the worker's checking
 * the rule in the worker) and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import {
  enqueueGuard,
  type LimitConfig,
  SendLimitError,
} from "../src/limits/mod.ts";
import type { EnqueueGuard, NewOutboxItem } from "../src/store/types.ts";

const HOUR_MS = 3_600_000;

const TWO_AN_HOUR: LimitConfig = {
  SEND_INTERVAL: 0,
  SEND_JITTER: 0,
  SEND_LIMIT_HOUR: 2,
  SEND_LIMIT_DAY: 0,
  SEND_LIMIT_RECIPIENTS_MONTH: 0,
};

function sms(body: string): NewOutboxItem {
  return {
    ext: "1001",
    goipId: "goippy_1001",
    kind: "sms",
    number: "+3725551234",
    body,
    fromJid: "",
    toJid: "",
    stanzaId: "",
    wantReceipt: false,
    origin: "api",
  };
}

storeContract("enqueue under a send limit", [
  {
    name:
      "SMS enqueued at once: exactly the limit queued, the rest refused with SendLimitError and its reset time",
    async fn({ store, clock }) {
      const g = await store.addGateway({ ext: "1001", goipPass: "pw" });
      const now = clock.now();
      const guard = () => enqueueGuard(g, "+3725551234", TWO_AN_HOUR, now);
      const out = await Promise.allSettled(
        ["a", "b", "c", "d"].map((b) => store.enqueueOutbox(sms(b), guard())),
      );
      assert.deepEqual(out.map((r) => r.status), [
        "fulfilled",
        "fulfilled",
        "rejected",
        "rejected",
      ]);
      const err = (out[2] as PromiseRejectedResult).reason;
      assert.ok(err instanceof SendLimitError, String(err));
      assert.deepEqual(err.over, {
        limit: "hour",
        max: 2,
        used: 2,
        resetAtMs: now + HOUR_MS,
      });
      assert.deepEqual(await store.queuedByLine(), { goippy_1001: 2 });
    },
  },
  {
    name:
      "a guard with only its admit function (no rule as data) still decides",
    async fn({ store }) {
      await store.addGateway({ ext: "1001", goipPass: "pw" });
      const refuse: EnqueueGuard = {
        usage: {
          hourFromMs: 0,
          dayFromMs: 0,
          monthFromMs: 0,
          number: "+3725551234",
          withQueued: true,
        },
        admit(usage) {
          if (usage.hour >= 1) throw new RangeError(`used ${usage.hour}`);
        },
      };
      const out = await Promise.allSettled(
        ["a", "b"].map((b) => store.enqueueOutbox(sms(b), refuse)),
      );
      assert.equal(out[0].status, "fulfilled");
      const err = (out[1] as PromiseRejectedResult).reason;
      assert.ok(err instanceof RangeError, String(err));
      assert.equal(err.message, "used 1");
      assert.deepEqual(await store.queuedByLine(), { goippy_1001: 1 });
    },
  },
  {
    name:
      "enqueueOutboxOnce: over the limit refused with SendLimitError, the key not kept; a known key replays",
    async fn({ store, clock }) {
      const g = await store.addGateway({ ext: "1001", goipPass: "pw" });
      const t = await store.addApiToken({ name: "t", hash: "h", lines: null });
      const now = clock.now();
      const guard = () => enqueueGuard(g, "+3725551234", TWO_AN_HOUR, now);
      const first = await store.enqueueOutboxOnce(
        sms("a"),
        t.id,
        "k1",
        guard(),
      );
      assert.equal(first.created, true);
      const again = await store.enqueueOutboxOnce(
        sms("a"),
        t.id,
        "k1",
        guard(),
      );
      assert.deepEqual([again.created, again.item.id], [false, first.item.id]);
      await store.enqueueOutboxOnce(sms("b"), t.id, "k2", guard());
      const err = await store.enqueueOutboxOnce(sms("c"), t.id, "k3", guard())
        .then(() => null, (e) => e);
      assert.ok(err instanceof SendLimitError, String(err));
      assert.equal(err.over.resetAtMs, now + HOUR_MS);
      assert.deepEqual(await store.queuedByLine(), { goippy_1001: 2 });
      // Refused, the key was not kept: once there is room it goes through.
      const room = enqueueGuard(g, "+3725551234", {
        ...TWO_AN_HOUR,
        SEND_LIMIT_HOUR: 3,
      }, now);
      const later = await store.enqueueOutboxOnce(sms("c"), t.id, "k3", room);
      assert.equal(later.created, true);
    },
  },
]);
