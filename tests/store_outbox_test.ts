/**
 * Store contract, part 3: the outgoing queue, queue depths and purging.
 * Every case runs on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import type { NewOutboxItem, Store } from "../src/store/types.ts";

function out(over: Partial<NewOutboxItem> = {}): NewOutboxItem {
  return {
    ext: "2001",
    goipId: "goippy_2001",
    kind: "sms",
    number: "+79995556677",
    body: "Привет 😀; id:1\nline 2",
    fromJid: "2001@example.org/phone",
    toJid: "+79995556677@sms.example.org",
    stanzaId: "abc-1",
    wantReceipt: true,
    origin: "xmpp",
    ...over,
  };
}

async function states(store: Store, ids: number[]) {
  const r: string[] = [];
  for (const id of ids) r.push((await store.outboxItem(id))!.state);
  return r;
}

storeContract("outbox, depths and purge", [
  {
    name: "outbox: queued → sending → sent → delivered, every field kept",
    async fn({ store, clock }) {
      const before = clock.now();
      const id = await store.enqueueOutbox(out());
      const q = await store.outboxItem(id);
      assert.ok(q);
      assert.ok(q.createdMs === before && q.updatedMs === q.createdMs);
      assert.deepEqual({ ...q, createdMs: 0, updatedMs: 0 }, {
        id,
        createdMs: 0,
        updatedMs: 0,
        ...out(),
        state: "queued",
        sendid: null,
        smsNo: null,
        attempts: 0,
        error: "",
        result: "",
      });
      assert.deepEqual(await store.nextQueued("goippy_2001"), q);
      clock.advance(5);
      await store.updateOutbox(id, {
        state: "sending",
        sendid: 1_800_000_001,
        attempts: 1,
      });
      const s = (await store.outboxItem(id))!;
      assert.equal(s.state, "sending");
      assert.equal(s.sendid, 1_800_000_001);
      assert.equal(s.attempts, 1);
      assert.equal(s.updatedMs, q.updatedMs + 5);
      assert.equal(await store.nextQueued("goippy_2001"), undefined);
      await store.updateOutbox(id, { state: "sent", smsNo: 17 });
      const found = await store.findSentBySmsNo("goippy_2001", 17, before - 10);
      assert.equal(found?.id, id);
      assert.equal(found?.sendid, 1_800_000_001);
      await store.updateOutbox(id, { state: "delivered" });
      assert.equal((await store.outboxItem(id))?.state, "delivered");
      assert.equal(await store.outboxItem(id + 1000), undefined);
    },
  },
  {
    name: "outbox: USSD from the CLI, failed with an error, result text kept",
    async fn({ store }) {
      const id = await store.enqueueOutbox(
        out({
          kind: "ussd",
          number: "",
          body: "*100#",
          fromJid: "",
          toJid: "",
          stanzaId: "",
          wantReceipt: false,
          origin: "cli",
        }),
      );
      await store.updateOutbox(id, {
        state: "sent",
        result: "Баланс: 100 р. 😀",
      });
      const u = (await store.outboxItem(id))!;
      assert.equal(u.kind, "ussd");
      assert.equal(u.wantReceipt, false);
      assert.equal(u.origin, "cli");
      assert.equal(u.result, "Баланс: 100 р. 😀");
      await store.updateOutbox(id, { state: "failed", error: "ERROR 3 busy" });
      assert.equal((await store.outboxItem(id))?.error, "ERROR 3 busy");
    },
  },
  {
    name: "outbox: nextQueued is per line and oldest first; linesWithQueued",
    async fn({ store }) {
      const a1 = await store.enqueueOutbox(out({ body: "a1" }));
      const b1 = await store.enqueueOutbox(
        out({ goipId: "goippy_2002", ext: "2002", body: "b1" }),
      );
      await store.enqueueOutbox(out({ body: "a2" }));
      assert.equal((await store.nextQueued("goippy_2001"))?.id, a1);
      assert.equal((await store.nextQueued("goippy_2002"))?.id, b1);
      assert.deepEqual(await store.linesWithQueued(), [
        "goippy_2001",
        "goippy_2002",
      ]);
      await store.updateOutbox(b1, { state: "sending" });
      assert.deepEqual(await store.linesWithQueued(), ["goippy_2001"]);
      await store.updateOutbox(a1, { state: "sending" });
      assert.equal((await store.nextQueued("goippy_2001"))?.body, "a2");
    },
  },
  {
    name: "findSentBySmsNo: newest sent match of that line, after sinceMs only",
    async fn({ store, clock }) {
      const old = await store.enqueueOutbox(out({ body: "old" }));
      await store.updateOutbox(old, { state: "sent", smsNo: 5 });
      clock.advance(20);
      const since = clock.now();
      const fresh = await store.enqueueOutbox(out({ body: "new" }));
      await store.updateOutbox(fresh, { state: "sent", smsNo: 5 });
      const other = await store.enqueueOutbox(
        out({ goipId: "goippy_2002", body: "other line" }),
      );
      await store.updateOutbox(other, { state: "sent", smsNo: 5 });
      assert.equal(
        (await store.findSentBySmsNo("goippy_2001", 5, since))?.id,
        fresh,
      );
      assert.equal(
        (await store.findSentBySmsNo("goippy_2001", 5, since - 60_000))?.id,
        fresh,
      );
      await store.updateOutbox(fresh, { state: "delivered" });
      // Only `sent` rows match; the older one is before sinceMs.
      assert.equal(
        await store.findSentBySmsNo("goippy_2001", 5, since),
        undefined,
      );
      assert.equal(
        (await store.findSentBySmsNo("goippy_2001", 5, since - 60_000))?.id,
        old,
      );
      assert.equal(
        await store.findSentBySmsNo("goippy_2001", 6, 0),
        undefined,
      );
    },
  },
  {
    name:
      "findSentBySmsNo: the hour counts from the hand-over, not the queueing",
    async fn({ store, clock }) {
      // Queued, then two hours waiting for its line before it went out.
      const waited = await store.enqueueOutbox(out({ body: "waited" }));
      clock.advance(2 * 3_600_000);
      await store.updateOutbox(waited, { state: "sending", sendid: 1 });
      clock.advance(5_000);
      await store.updateOutbox(waited, { state: "sent", smsNo: 8 });
      const hourAgo = () => clock.now() - 3_600_000;
      assert.equal(
        (await store.findSentBySmsNo("goippy_2001", 8, hourAgo()))?.id,
        waited,
      );
      // The window itself stays: a hand-over over an hour ago no longer matches.
      clock.advance(3_600_000);
      assert.equal(
        await store.findSentBySmsNo("goippy_2001", 8, hourAgo()),
        undefined,
      );
    },
  },
  {
    name: "upgrade to schema 14: rows already sent match by their last update",
    async fn({ store, clock, raw, reopen }) {
      const id = await store.enqueueOutbox(out({ body: "before upgrade" }));
      clock.advance(2 * 3_600_000);
      await store.updateOutbox(id, { state: "sent", smsNo: 9 });
      const queued = await store.enqueueOutbox(out({ body: "still queued" }));
      // As an older goippy left them: no hand-over time, schema 12.
      await raw("UPDATE goippy_outbox SET sent_ms = NULL");
      await raw(
        "UPDATE goippy_meta SET meta_value = '12' " +
          "WHERE meta_key = 'schema_version'",
      );
      const s2 = await reopen();
      assert.equal(
        (await s2.findSentBySmsNo("goippy_2001", 9, clock.now() - 3_600_000))
          ?.id,
        id,
      );
      const rows = await raw(
        `SELECT sent_ms FROM goippy_outbox WHERE id = ${queued}`,
      );
      assert.equal(rows[0].sent_ms, null);
    },
  },
  {
    name: "markInterruptedUncertain turns every sending row uncertain, once",
    async fn({ store, reopen }) {
      const ids = [
        await store.enqueueOutbox(out({ body: "1" })),
        await store.enqueueOutbox(out({ body: "2" })),
        await store.enqueueOutbox(out({ body: "3" })),
      ];
      await store.updateOutbox(ids[0], { state: "sending", sendid: 9 });
      await store.updateOutbox(ids[2], { state: "sending" });
      const s2 = await reopen(); // a restart after a crash
      const hit = await s2.markInterruptedUncertain();
      assert.deepEqual(hit.map((i) => [i.id, i.state, i.sendid]), [
        [ids[0], "uncertain", 9],
        [ids[2], "uncertain", null],
      ]);
      assert.deepEqual(await states(s2, ids), [
        "uncertain",
        "queued",
        "uncertain",
      ]);
      assert.deepEqual(await s2.markInterruptedUncertain(), []);
    },
  },
  {
    name: "expireQueued expires only queued rows created before the cut",
    async fn({ store, clock }) {
      const old = await store.enqueueOutbox(out({ body: "old" }));
      const sending = await store.enqueueOutbox(out({ body: "sending" }));
      await store.updateOutbox(sending, { state: "sending" });
      clock.advance(20);
      const cut = clock.now();
      clock.advance(5);
      const fresh = await store.enqueueOutbox(out({ body: "new" }));
      const hit = await store.expireQueued(cut);
      assert.deepEqual(hit.map((i) => [i.id, i.state]), [[old, "expired"]]);
      assert.deepEqual(await states(store, [old, sending, fresh]), [
        "expired",
        "sending",
        "queued",
      ]);
      assert.deepEqual(await store.expireQueued(cut), []);
    },
  },
  {
    name:
      "expireQueued writes the reason with the state (no reader sees one without the other)",
    async fn({ store, clock }) {
      const sms = await store.enqueueOutbox(out({ body: "old" }));
      clock.advance(20);
      const hit = await store.expireQueued(
        clock.now(),
        (i) => `${i.kind} waited too long`,
      );
      assert.deepEqual(hit.map((i) => i.error), ["sms waited too long"]);
      const row = await store.outboxItem(sms);
      assert.deepEqual([row?.state, row?.error], [
        "expired",
        "sms waited too long",
      ]);
    },
  },
  {
    name: "queueDepths counts pending inbox, queued and sending outbox",
    async fn({ store }) {
      assert.deepEqual(await store.queueDepths(), {
        inboxPending: 0,
        outboxQueued: 0,
        outboxSending: 0,
      });
      for (let i = 0; i < 3; i++) {
        await store.enqueueInbox({
          kind: "chat",
          fromJid: "a",
          toJid: "b",
          body: `${i}`,
          refId: "",
          goipId: "",
        });
      }
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push(await store.enqueueOutbox(out()));
      await store.updateOutbox(ids[0], { state: "sending" });
      await store.updateOutbox(ids[1], { state: "sent" });
      assert.deepEqual(await store.queueDepths(), {
        inboxPending: 3,
        outboxQueued: 2,
        outboxSending: 1,
      });
    },
  },
  {
    name: "purgeOlderThan removes old history, keeps anything still pending",
    async fn({ store, raw, clock }) {
      const inbox = (body: string) =>
        store.enqueueInbox({
          kind: "chat",
          fromJid: "a",
          toJid: "b",
          body,
          refId: "",
          goipId: "",
        });
      await store.storeIncomingSms(
        {
          goipId: "g",
          ext: "2001",
          n: 1,
          srcnum: "+1",
          body: "old sms",
          delivery: {
            kind: "chat",
            fromJid: "a",
            toJid: "b",
            body: "old sms",
            refId: "",
            goipId: "g",
          },
        },
        60_000,
      );
      const doneInbox = await inbox("done");
      await store.markInboxDone([doneInbox]);
      await store.recordCall({
        ts: Math.floor(clock.now() / 1000) - 10,
        goipId: "g",
        ext: "2001",
        direction: 1,
        remoteNum: "+1",
        cause: "",
        msisdn: "",
        raw: "",
      });
      const sent = await store.enqueueOutbox(out({ body: "sent" }));
      await store.updateOutbox(sent, { state: "delivered" });
      const queued = await store.enqueueOutbox(out({ body: "queued" }));
      clock.advance(5);
      const cut = clock.now() + 1;
      clock.advance(5);
      const fresh = await inbox("fresh");
      const n = await store.purgeOlderThan(cut);
      // log row, done inbox row, call, delivered outbox row, dedupe row
      assert.equal(n, 5);
      assert.deepEqual(
        (await store.pendingInbox(10)).map((i) => i.body),
        ["old sms", "fresh"],
      );
      assert.equal(fresh > doneInbox, true);
      assert.equal((await store.outboxItem(queued))?.state, "queued");
      assert.equal(await store.outboxItem(sent), undefined);
      assert.deepEqual(await store.recentCalls(5), []);
      assert.deepEqual(await raw("SELECT id FROM goippy_log"), []);
      assert.equal(await store.purgeOlderThan(cut), 0);
    },
  },
]);
