/**
 * Store contract, part 4: a database left by the original Python goippy
 * (`src/store/testdata/legacy_*.sql`) is upgraded in place, keeping every
 * row. Runs on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract, type StoreCtx } from "./support/store_backend.ts";
import { SCHEMA_VERSION } from "../src/store/migrate.ts";
import type { Dialect } from "../src/store/types.ts";

const legacy = (d: Dialect) =>
  Deno.readTextFile(
    new URL(`../src/store/testdata/legacy_${d}.sql`, import.meta.url),
  );

async function counts(raw: StoreCtx["raw"]) {
  const r: Record<string, number> = {};
  for (const t of ["gateways", "calls", "log", "state"]) {
    r[t] = Number((await raw(`SELECT COUNT(*) AS n FROM goippy_${t}`))[0].n);
  }
  return r;
}

storeContract("upgrade of an original goippy database", [
  {
    name: "every original row is kept and reads back through the store",
    fresh: true,
    seed: legacy,
    async fn({ store, raw }) {
      assert.equal(await store.schemaVersion(), 0);
      await store.migrate();
      assert.equal(await store.schemaVersion(), SCHEMA_VERSION);
      assert.deepEqual(await counts(raw), {
        gateways: 2,
        calls: 2,
        log: 3,
        state: 1,
      });
      const [a, b] = await store.listGateways();
      assert.deepEqual({ ...a, state: null }, {
        id: a.id,
        ext: "2001",
        goipId: "goippy_2001",
        goipPass: "secret1",
        channel: 1,
        msisdn: "+79990001122",
        allowRegex: ".*",
        enabled: true,
        state: null,
      });
      // New columns are defaulted.
      assert.deepEqual(a.state, {
        goipId: "goippy_2001",
        ext: "2001",
        msisdn: "+79990001122",
        addr: "",
        lastSeenMs: 0,
        signal: 23,
        gsmStatus: "LOGIN",
        voipStatus: "LOGIN",
        voipState: "IDLE",
        remainTime: -1,
        provider: "MegaFon",
        disableStatus: false,
        imei: "",
        imsi: "",
        iccid: "",
      });
      assert.equal(b.ext, "2002");
      assert.equal(b.enabled, false);
      assert.equal(b.msisdn, "");
      assert.equal(b.channel, null);
      assert.equal(b.allowRegex, "^\\+7");
      assert.equal(b.state, null);
      const calls = await store.recentCalls(10);
      assert.deepEqual(calls.map((c) => [c.remoteNum, c.cause, c.endedMs]), [
        ["+79995550000", "", 1614834467000],
        ["+79995556677", "NORMAL", 1614834367000],
      ]);
      const log = await raw(
        "SELECT dir, kind, msisdn, body, status FROM goippy_log ORDER BY id",
      );
      assert.deepEqual(log.map((r) => ({ ...r })), [
        {
          dir: "in",
          kind: "sms",
          msisdn: "+79995556677",
          body: "Привет, мир",
          status: "delivered",
        },
        {
          dir: "out",
          kind: "sms",
          msisdn: "+79995556677",
          body: "ok; see you: 10:00",
          status: "sent",
        },
        {
          dir: "in",
          kind: "sms",
          msisdn: "+79995550000",
          body: "DELIVER state:0",
          status: "report",
        },
      ]);
    },
  },
  {
    name: "migrate twice is a no-op; goippy then uses the upgraded tables",
    fresh: true,
    seed: legacy,
    async fn({ store, raw, reopen }) {
      await store.migrate();
      await store.migrate();
      const s = await reopen();
      assert.equal(await s.schemaVersion(), SCHEMA_VERSION);
      assert.deepEqual(await counts(raw), {
        gateways: 2,
        calls: 2,
        log: 3,
        state: 1,
      });
      // Old HANGUPs can never complete a call of the original program.
      assert.equal(
        await s.completeCall("goippy_2001", "", "X", "H"),
        undefined,
      );
      await s.addGateway({ ext: "2003", goipPass: "pw" });
      await assert.rejects(() => s.addGateway({ ext: "2001", goipPass: "x" }));
      await s.saveLineState({
        goipId: "goippy_2001",
        ext: "2001",
        msisdn: "",
        addr: "198.51.100.7:1024",
        lastSeenMs: 1_800_000_000_000,
        signal: 31,
        gsmStatus: "LOGIN",
        voipStatus: "",
        voipState: "",
        remainTime: null,
        provider: "MegaFon",
        disableStatus: null,
        imei: "356789012345678",
        imsi: "",
        iccid: "",
      });
      const st = await s.lineState("goippy_2001");
      assert.equal(st?.addr, "198.51.100.7:1024");
      assert.equal(st?.msisdn, "+79990001122");
      const emoji = "emoji 😀 and Привет";
      assert.equal(
        await s.storeIncomingSms({
          goipId: "goippy_2001",
          ext: "2001",
          n: 1,
          srcnum: "+79995556677",
          body: emoji,
          delivery: {
            kind: "chat",
            fromJid: "+79995556677@sms.example.org",
            toJid: "2001@example.org",
            body: emoji,
            refId: "",
            goipId: "goippy_2001",
          },
        }, 60_000),
        "stored",
      );
      const rows = await raw(
        "SELECT body FROM goippy_log WHERE kind = 'sms' ORDER BY id DESC",
      );
      assert.equal(rows[0].body, emoji);
      const callId = await s.recordCall({
        ts: Math.floor(Date.now() / 1000),
        goipId: "goippy_2001",
        ext: "2001",
        direction: 1,
        remoteNum: "+7",
        cause: "",
        msisdn: "+79990001122",
        raw: "RECORD",
      });
      assert.equal(
        (await s.completeCall("goippy_2001", "+7", "OK", "H"))?.id,
        callId,
      );
      // The original rows' times were carried into created_ms: purging
      // everything before 2022 removes exactly the old history.
      const cut = Date.UTC(2022, 0, 1);
      assert.equal(await s.purgeOlderThan(cut), 5);
      assert.deepEqual(await counts(raw), {
        gateways: 3,
        calls: 1,
        log: 1,
        state: 1,
      });
    },
  },
]);
