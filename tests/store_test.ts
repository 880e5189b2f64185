/**
 * Store contract, part 1: schema, gateways, line state, sendids, durability
 * facts of each dialect. Every case runs on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { lineStateFixture } from "./support/line_state.ts";
import { storeContract } from "./support/store_backend.ts";
import { StoreConflictError } from "../src/store/types.ts";
import { SCHEMA_VERSION } from "../src/store/migrate.ts";

const state = lineStateFixture;

storeContract("schema and gateways", [
  {
    name:
      "migrate creates every table, records the version, and twice is a no-op",
    fresh: true,
    async fn({ store, raw }) {
      await store.migrate();
      assert.deepStrictEqual(await store.schemaVersion(), SCHEMA_VERSION);
      await store.addGateway({ ext: "2001", goipPass: "pw" });
      await store.migrate();
      assert.deepStrictEqual(await store.schemaVersion(), SCHEMA_VERSION);
      assert.deepStrictEqual((await store.listGateways()).length, 1);
      for (
        const t of [
          "goippy_gateways",
          "goippy_calls",
          "goippy_log",
          "goippy_state",
          "goippy_meta",
          "goippy_receive_seen",
          "goippy_sendid",
          "goippy_inbox",
          "goippy_outbox",
        ]
      ) {
        assert.deepStrictEqual(
          (await raw(`SELECT COUNT(*) AS n FROM ${t}`)).length,
          1,
        );
      }
    },
  },
  {
    name: "a database from a newer goippy is refused with a clear error",
    async fn({ store, raw }) {
      await raw(
        "UPDATE goippy_meta SET meta_value = '99' WHERE meta_key = 'schema_version'",
      );
      await assert.rejects(() => store.migrate(), /schema version 99 is newer/);
    },
  },
  {
    name: "addGateway fills defaults; lookups by ext and goip_id",
    async fn({ store }) {
      const g = await store.addGateway({ ext: "2001", goipPass: "s3cret" });
      assert.deepStrictEqual({ ...g, id: 0 }, {
        id: 0,
        ext: "2001",
        goipId: "goippy_2001",
        goipPass: "s3cret",
        channel: null,
        msisdn: "",
        allowRegex: ".*",
        enabled: true,
      });
      const h = await store.addGateway({
        ext: "bob.smith",
        goipPass: "pw",
        allowRegex: "^\\+7\\d{10}$",
        channel: 3,
        goipId: "line3",
      });
      assert.deepStrictEqual(await store.gatewayByExt("bob.smith"), h);
      assert.deepStrictEqual(await store.gatewayByGoipId("line3"), h);
      assert.deepStrictEqual(h.allowRegex, "^\\+7\\d{10}$");
      assert.deepStrictEqual(h.channel, 3);
      assert.deepStrictEqual(await store.gatewayByExt("nobody"), undefined);
      assert.deepStrictEqual(
        await store.gatewayByGoipId("goippy_nobody"),
        undefined,
      );
      assert.deepStrictEqual(
        (await store.listGateways()).map((x) => [x.ext, x.state]),
        [["2001", null], ["bob.smith", null]],
      );
    },
  },
  {
    name:
      "a duplicate ext or goip_id is a StoreConflictError and writes nothing",
    async fn({ store }) {
      await store.addGateway({ ext: "2001", goipPass: "pw" });
      await assert.rejects(
        () => store.addGateway({ ext: "2001", goipPass: "other" }),
        (e) => e instanceof StoreConflictError && e.message.includes("2001"),
      );
      await assert.rejects(
        () =>
          store.addGateway({
            ext: "2002",
            goipPass: "pw",
            goipId: "goippy_2001",
          }),
        StoreConflictError,
      );
      await assert.rejects(
        () => store.addGateway({ ext: "2003", goipPass: "x".repeat(65) }),
        RangeError,
      );
      const all = await store.listGateways();
      assert.deepStrictEqual(all.map((g) => g.ext), ["2001"]);
      assert.deepStrictEqual(all[0].goipPass, "pw");
    },
  },
  {
    name: "enable, disable and remove report whether the gateway exists",
    async fn({ store }) {
      await store.addGateway({ ext: "2001", goipPass: "pw" });
      assert.deepStrictEqual(
        await store.setGatewayEnabled("2001", false),
        true,
      );
      assert.deepStrictEqual(
        (await store.gatewayByExt("2001"))?.enabled,
        false,
      );
      assert.deepStrictEqual(
        await store.setGatewayEnabled("2001", false),
        true,
      );
      assert.deepStrictEqual(await store.setGatewayEnabled("2001", true), true);
      assert.deepStrictEqual((await store.gatewayByExt("2001"))?.enabled, true);
      assert.deepStrictEqual(
        await store.setGatewayEnabled("9999", true),
        false,
      );
      await store.saveLineState(state());
      assert.deepStrictEqual(await store.removeGateway("2001"), true);
      assert.deepStrictEqual(await store.removeGateway("2001"), false);
      assert.deepStrictEqual(await store.gatewayByExt("2001"), undefined);
      assert.deepStrictEqual(await store.lineState("goippy_2001"), undefined);
      // The ext can be added again.
      await store.addGateway({ ext: "2001", goipPass: "new" });
    },
  },
  {
    name:
      "line state upsert; msisdn reaches the gateway; empty msisdn keeps it",
    async fn({ store }) {
      await store.addGateway({ ext: "2001", goipPass: "pw" });
      assert.deepStrictEqual(await store.lineState("goippy_2001"), undefined);
      await store.saveLineState(state());
      assert.deepStrictEqual(await store.lineState("goippy_2001"), state());
      assert.deepStrictEqual(
        (await store.gatewayByExt("2001"))?.msisdn,
        "+79990001122",
      );
      const later = state({
        msisdn: "",
        imei: "",
        signal: null,
        remainTime: null,
        disableStatus: null,
        provider: "Beeline",
        addr: "192.0.2.11:5061",
        lastSeenMs: 1_700_000_060_000,
      });
      await store.saveLineState(later);
      assert.deepStrictEqual(await store.lineState("goippy_2001"), {
        ...later,
        msisdn: "+79990001122",
        imei: "356789012345678",
      });
      await store.saveLineState(
        state({ msisdn: "+70000000000", lastSeenMs: 1_700_000_120_000 }),
      );
      assert.deepStrictEqual(
        (await store.gatewayByExt("2001"))?.msisdn,
        "+70000000000",
      );
      const [g] = await store.listGateways();
      assert.deepStrictEqual(g.state?.msisdn, "+70000000000");
      assert.deepStrictEqual(g.state?.addr, "192.0.2.10:5060");
    },
  },
  {
    name: "device values longer than the original columns are cut, not refused",
    async fn({ store }) {
      await store.saveLineState(
        state({ provider: "П".repeat(300), gsmStatus: "x".repeat(100) }),
      );
      const s = await store.lineState("goippy_2001");
      assert.deepStrictEqual(s?.provider, "П".repeat(64));
      assert.deepStrictEqual(s?.gsmStatus, "x".repeat(32));
    },
  },
  {
    name:
      "nextSendId: strictly increasing, >= unix seconds, per line, persisted",
    async fn({ store, reopen, clock }) {
      const before = Math.floor(clock.now() / 1000);
      const ids: number[] = [];
      for (let i = 0; i < 30; i++) ids.push(await store.nextSendId("goippy_a"));
      assert.ok(ids[0] >= before, `${ids[0]} < ${before}`);
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1]);
      assert.ok(ids.at(-1)! < 2 ** 31);
      const other = await store.nextSendId("goippy_b");
      assert.ok(other >= before);
      const again = await (await reopen()).nextSendId("goippy_a");
      assert.ok(again > ids.at(-1)!, `${again} <= ${ids.at(-1)}`);
    },
  },
  {
    name: "nextSendId: concurrent callers (two stores) never get the same id",
    async fn({ store, second }) {
      const other = await second();
      const all = await Promise.all(
        Array.from(
          { length: 40 },
          (_, i) => (i % 2 ? other : store).nextSendId("goippy_a"),
        ),
      );
      assert.deepStrictEqual(new Set(all).size, all.length);
    },
  },
  {
    name: "a second store (the CLI) sees the daemon's writes and vice versa",
    async fn({ store, second }) {
      const cli = await second();
      await cli.addGateway({ ext: "2001", goipPass: "pw" });
      assert.notDeepStrictEqual(await store.gatewayByExt("2001"), undefined);
      await store.setGatewayEnabled("2001", false);
      assert.deepStrictEqual((await cli.gatewayByExt("2001"))?.enabled, false);
    },
  },
  {
    name: "SQLite: the database file is in WAL mode",
    only: "sqlite",
    async fn({ store, raw }) {
      await store.ping();
      assert.deepStrictEqual(
        (await raw("PRAGMA journal_mode"))[0].journal_mode,
        "wal",
      );
    },
  },
  {
    name: "MySQL: the pool reconnects by itself after MariaDB restarts",
    only: "mysql",
    async fn({ store, mariadb }) {
      await store.addGateway({ ext: "2001", goipPass: "pw" });
      await mariadb!.restart();
      // Stale pooled connections are dropped; the next query works.
      assert.deepStrictEqual((await store.gatewayByExt("2001"))?.ext, "2001");
      await store.addGateway({ ext: "2002", goipPass: "pw" });
      assert.deepStrictEqual((await store.listGateways()).length, 2);
    },
  },
  {
    name: "MySQL: a query while the server is down fails, then works again",
    only: "mysql",
    async fn({ store, mariadb }) {
      await store.ping();
      await mariadb!.pause();
      await assert.rejects(() => store.ping());
      await mariadb!.resume();
      await store.ping();
      assert.deepStrictEqual(await store.listGateways(), []);
    },
  },
]);
