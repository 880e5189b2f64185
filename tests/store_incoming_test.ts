/**
 * Store contract, part 2: incoming SMS (dedupe, raw bodies), the inbox queue
 * and call records. Every case runs on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import { waitFor } from "./support/poll.ts";
import type { IncomingSms } from "../src/store/types.ts";

const MIN = 60_000;

function sms(n: number, body = "hello", over: Partial<IncomingSms> = {}) {
  return {
    goipId: "goippy_2001",
    ext: "2001",
    n,
    srcnum: "+79995556677",
    body,
    delivery: {
      kind: "chat" as const,
      fromJid: "+79995556677@sms.example.org",
      toJid: "2001@example.org",
      body,
      refId: "",
      goipId: "goippy_2001",
    },
    ...over,
  };
}

const TRICKY = [
  "semi;colon:colon\nnew line\r\nid:goippy_x;password:y",
  "emoji 😀👍🏽 and Cyrillic Привет, мир! ёЁ",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral + CJK 你好 + RTL שלום",
  "",
  "x".repeat(5000) + "😀".repeat(2000),
];

storeContract("incoming SMS, inbox and calls", [
  {
    name: "RECEIVE: stored once within the dedupe window, again after it",
    async fn({ store, raw }) {
      const t0 = 1_800_000_000_000;
      assert.equal(await store.storeIncomingSms(sms(7), 5 * MIN, t0), "stored");
      assert.equal(
        await store.storeIncomingSms(sms(7), 5 * MIN, t0 + 3000),
        "duplicate",
      );
      assert.equal(
        await store.storeIncomingSms(sms(7), 5 * MIN, t0 + 5 * MIN - 1),
        "duplicate",
      );
      // Same n from another line is another SMS.
      assert.equal(
        await store.storeIncomingSms(
          sms(7, "other line", { goipId: "goippy_2002", ext: "2002" }),
          5 * MIN,
          t0 + 4000,
        ),
        "stored",
      );
      // After the window the counter has wrapped/rebooted: a new SMS.
      assert.equal(
        await store.storeIncomingSms(sms(7, "later"), 5 * MIN, t0 + 6 * MIN),
        "stored",
      );
      assert.equal(
        await store.storeIncomingSms(
          sms(7, "later"),
          5 * MIN,
          t0 + 6 * MIN + 1,
        ),
        "duplicate",
      );
      const inbox = await store.pendingInbox(10);
      assert.deepEqual(inbox.map((i) => i.body), [
        "hello",
        "other line",
        "later",
      ]);
      // Another counter much later: the first line's old counters are
      // forgotten (after the commit, off the ack's path).
      assert.equal(
        await store.storeIncomingSms(
          sms(8, "much later"),
          5 * MIN,
          t0 + 20 * MIN,
        ),
        "stored",
      );
      const counters = async () =>
        (await raw(
          "SELECT goip_id, n FROM goippy_receive_seen ORDER BY goip_id, n",
        )).map((r) => [r.goip_id, Number(r.n)]);
      const left = JSON.stringify([["goippy_2001", 8], ["goippy_2002", 7]]);
      await waitFor(
        async () => JSON.stringify(await counters()) === left,
        5_000,
        async () => `counters ${left}, not ${JSON.stringify(await counters())}`,
      );
      const log = await raw(
        "SELECT dir, kind, goip_id, ext, msisdn, xmpp_jid, body, status " +
          "FROM goippy_log ORDER BY id",
      );
      assert.equal(log.length, 4);
      assert.deepEqual({ ...log[0] }, {
        dir: "in",
        kind: "sms",
        goip_id: "goippy_2001",
        ext: "2001",
        msisdn: "+79995556677",
        xmpp_jid: "2001@example.org",
        body: "hello",
        status: "received",
      });
    },
  },
  {
    name: "RECEIVE: negative and large counters work",
    async fn({ store }) {
      for (const n of [-1, -2147483648, 0, 2147483647, 9_007_199_254]) {
        assert.equal(await store.storeIncomingSms(sms(n), MIN), "stored");
        assert.equal(await store.storeIncomingSms(sms(n), MIN), "duplicate");
      }
      assert.equal((await store.pendingInbox(100)).length, 5);
    },
  },
  {
    name: "RECEIVE: five copies at once are stored exactly once",
    async fn({ store, second }) {
      const other = await second();
      const results = await Promise.all(
        [store, other, store, other, store].map((s) =>
          s.storeIncomingSms(sms(42), 5 * MIN)
        ),
      );
      assert.equal(results.filter((r) => r === "stored").length, 1);
      assert.equal((await store.pendingInbox(10)).length, 1);
    },
  },
  {
    name: "bodies round-trip byte for byte (;:\\n, emoji, Cyrillic, long)",
    async fn({ store, raw }) {
      for (const [i, body] of TRICKY.entries()) {
        assert.equal(await store.storeIncomingSms(sms(i, body), MIN), "stored");
      }
      const inbox = await store.pendingInbox(100);
      assert.deepEqual(inbox.map((i) => i.body), TRICKY);
      const log = await raw("SELECT body FROM goippy_log ORDER BY id");
      assert.deepEqual(log.map((r) => r.body), TRICKY);
    },
  },
  {
    name: "a sender number longer than the column is cut, not refused",
    async fn({ store }) {
      const long = "+" + "9".repeat(100);
      assert.equal(
        await store.storeIncomingSms(sms(1, "x", { srcnum: long }), MIN),
        "stored",
      );
      await store.logTraffic({
        dir: "out",
        kind: "deliver",
        goipId: "goippy_2001",
        ext: "2001",
        number: long,
        xmppJid: "j".repeat(400),
        body: "DELIVER",
        status: "s".repeat(200),
      });
    },
  },
  {
    name:
      "inbox: oldest first, limit, kinds, markInboxDone (more than one chunk)",
    async fn({ store, clock }) {
      const ids: number[] = [];
      for (let i = 0; i < 120; i++) {
        ids.push(
          await store.enqueueInbox({
            kind: i % 3 === 0 ? "chat" : i % 3 === 1 ? "receipt" : "error",
            fromJid: `+${i}@sms.example.org`,
            toJid: "2001@example.org",
            body: `m${i}`,
            refId: i % 3 ? `stanza-${i}` : "",
            goipId: "goippy_2001",
            createdMs: 1_700_000_000_000 + i,
          }),
        );
      }
      const first = await store.pendingInbox(5);
      assert.deepEqual(first.map((i) => i.id), ids.slice(0, 5));
      assert.deepEqual(first[1], {
        id: ids[1],
        createdMs: 1_700_000_000_001,
        kind: "receipt",
        fromJid: "+1@sms.example.org",
        toJid: "2001@example.org",
        body: "m1",
        refId: "stanza-1",
        goipId: "goippy_2001",
      });
      await store.markInboxDone(ids.slice(0, 110));
      await store.markInboxDone([]);
      const rest = await store.pendingInbox(100);
      assert.deepEqual(rest.map((i) => i.id), ids.slice(110));
      assert.equal((await store.queueDepths()).inboxPending, 10);
      clock.advance(1000);
      const id = await store.enqueueInbox({
        kind: "chat",
        fromJid: "a",
        toJid: "b",
        body: "now",
        refId: "",
        goipId: "",
      });
      const item = (await store.pendingInbox(100)).find((i) => i.id === id);
      assert.equal(item?.createdMs, clock.now());
    },
  },
  {
    name: "calls: RECORD then HANGUP completes the matching open call",
    async fn({ store }) {
      const base = {
        goipId: "goippy_2001",
        ext: "2001",
        msisdn: "+79990001122",
        cause: "",
      };
      const a = await store.recordCall({
        ...base,
        ts: 1_800_000_000,
        direction: 1,
        remoteNum: "+71111111111",
        raw: "RECORD:1;id:goippy_2001;password:***;dir:1;num:+71111111111",
      });
      const b = await store.recordCall({
        ...base,
        ts: 1_800_000_010,
        direction: 2,
        remoteNum: "+72222222222",
        raw: "RECORD:2",
      });
      const done = await store.completeCall(
        "goippy_2001",
        "+71111111111",
        "NORMAL",
        "HANGUP:3;num:+71111111111,cause:NORMAL",
        1_800_000_100_000,
      );
      assert.equal(done?.id, a);
      assert.equal(done?.cause, "NORMAL");
      assert.equal(done?.endedMs, 1_800_000_100_000);
      // Unknown number: the newest open call.
      const other = await store.completeCall("goippy_2001", "", "BUSY", "H");
      assert.equal(other?.id, b);
      assert.equal(
        await store.completeCall("goippy_2001", "", "X", "H"),
        undefined,
      );
      assert.equal(
        await store.completeCall("goippy_nobody", "+7", "X", "H"),
        undefined,
      );
      const recent = await store.recentCalls(10);
      assert.deepEqual(recent.map((c) => c.id), [b, a]);
      assert.deepEqual(recent[1], {
        id: a,
        ts: 1_800_000_000,
        goipId: "goippy_2001",
        ext: "2001",
        direction: 1,
        remoteNum: "+71111111111",
        cause: "NORMAL",
        msisdn: "+79990001122",
        raw: "RECORD:1;id:goippy_2001;password:***;dir:1;num:+71111111111\n" +
          "HANGUP:3;num:+71111111111,cause:NORMAL",
        endedMs: 1_800_000_100_000,
      });
      assert.equal((await store.recentCalls(1)).length, 1);
    },
  },
  {
    name: "calls: oversized device fields are cut to the original columns",
    async fn({ store }) {
      const id = await store.recordCall({
        goipId: "goippy_2001",
        ext: "2001",
        msisdn: "",
        cause: "c".repeat(100),
        ts: 1,
        direction: 1,
        remoteNum: "9".repeat(100),
        raw: "r".repeat(1000),
      });
      const [c] = await store.recentCalls(1);
      assert.equal(c.id, id);
      assert.equal(c.remoteNum.length, 32);
      assert.equal(c.raw.length, 255);
    },
  },
]);
