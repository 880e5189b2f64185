/**
 * Store contract: SMS handed to the lines (`goippy_sends`), counted for the
 * send limits, and the per-gateway overrides. Every case runs on SQLite and
 * on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import type { NewOutboxItem, Store, UsageQuery } from "../src/store/types.ts";

function out(number: string, goipId = "goippy_2001"): NewOutboxItem {
  return {
    ext: goipId.slice(7),
    goipId,
    kind: "sms",
    number,
    body: "hi",
    fromJid: "",
    toJid: "",
    stanzaId: "",
    wantReceipt: false,
    origin: "cli",
  };
}

/** Queue an SMS and hand it over at the clock's time. */
async function hand(store: Store, number: string, goipId = "goippy_2001") {
  const id = await store.enqueueOutbox(out(number, goipId));
  await store.updateOutbox(id, { state: "sending" });
  await store.recordSend(id, goipId, number);
  return id;
}

const H = 3_600_000;

function q(now: number, number: string, withQueued: boolean): UsageQuery {
  return {
    hourFromMs: now - H,
    dayFromMs: now - 5 * H,
    monthFromMs: now - 20 * H,
    number,
    withQueued,
  };
}

storeContract("send limits", [
  {
    name: "hand-overs counted per window and per line; a row counts once",
    async fn({ store, clock }) {
      const t0 = clock.now();
      const first = await hand(store, "+3725550001");
      await store.recordSend(first, "goippy_2001", "+3725550001");
      clock.advance(2 * H);
      await hand(store, "+3725550002");
      clock.advance(60_000);
      await hand(store, "+3725550002");
      await hand(store, "+3725550009", "goippy_2002");
      const now = clock.now();
      assert.deepEqual(
        await store.sendUsage("goippy_2001", q(now, "+3725550001", false)),
        {
          hour: 2,
          day: 3,
          recipients: 2,
          knownRecipient: true,
          oldestInHourMs: t0 + 2 * H,
          lastHandedMs: now,
        },
      );
      assert.deepEqual(
        await store.sendCounts(q(now, "", false)),
        new Map([
          ["goippy_2001", { hour: 2, day: 3, recipients: 2 }],
          ["goippy_2002", { hour: 1, day: 1, recipients: 1 }],
        ]),
      );
      const other = await store.sendUsage(
        "goippy_2002",
        q(now, "+1", false),
      );
      assert.deepEqual([other.hour, other.recipients], [1, 1]);
    },
  },
  {
    name:
      "at enqueue, queued SMS count as sent and their numbers as recipients",
    async fn({ store, clock }) {
      await hand(store, "+3725550001");
      await store.enqueueOutbox(out("+3725550002"));
      await store.enqueueOutbox(out("+3725550002"));
      const u = await store.sendUsage(
        "goippy_2001",
        q(clock.now(), "+3725550002", true),
      );
      assert.deepEqual(
        [u.hour, u.day, u.recipients, u.knownRecipient],
        [3, 3, 2, true],
      );
      const handed = await store.sendUsage(
        "goippy_2001",
        q(clock.now(), "+3725550002", false),
      );
      assert.deepEqual(
        [handed.hour, handed.recipients, handed.knownRecipient],
        [1, 1, false],
      );
    },
  },
  {
    name: "the purge keeps hand-overs for the month limit",
    async fn({ store, clock }) {
      await hand(store, "+3725550001");
      clock.advance(10 * 86_400_000);
      await store.purgeOlderThan(clock.now());
      let u = await store.sendUsage("goippy_2001", {
        ...q(clock.now(), "", false),
        monthFromMs: 0,
      });
      assert.equal(u.recipients, 1);
      clock.advance(30 * 86_400_000);
      await store.purgeOlderThan(clock.now());
      u = await store.sendUsage("goippy_2001", {
        ...q(clock.now(), "", false),
        monthFromMs: 0,
      });
      assert.equal(u.recipients, 0);
    },
  },
  {
    name: "gateway overrides: set, shown, cleared; unknown ext is false",
    async fn({ store }) {
      await store.addGateway({ ext: "2001", goipPass: "p" });
      assert.equal((await store.gatewayByExt("2001"))!.limits, undefined);
      const v0 = await store.gatewaysVersion();
      assert.equal(
        await store.setGatewayLimits("2001", { hour: 30, interval: 5 }),
        true,
      );
      assert.notEqual(await store.gatewaysVersion(), v0);
      await store.setGatewayLimits("2001", { day: 0 });
      assert.deepEqual((await store.gatewayByGoipId("goippy_2001"))!.limits, {
        hour: 30,
        day: 0,
        recipients: null,
        interval: 5,
        jitter: null,
      });
      await store.setGatewayLimits("2001", { hour: null });
      assert.equal((await store.listGateways())[0].limits?.hour, null);
      await store.setGatewayLimits("2001", { day: null, interval: null });
      assert.equal((await store.gatewayByExt("2001"))!.limits, undefined);
      assert.equal(await store.setGatewayLimits("2999", { hour: 1 }), false);
    },
  },
]);
