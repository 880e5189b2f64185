/**
 * Store contract, part 4: batches of line states (on MySQL the bulk JSON
 * statement and the row-by-row form of older servers end the same) and the
 * gateways version the daemon's gateway cache watches. Every case runs on
 * SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { lineStateFixture } from "./support/line_state.ts";
import { storeContract } from "./support/store_backend.ts";
import type { LineState, Store } from "../src/store/types.ts";

/** The fixture state of line `goipId` (ext: the id without its "g"). */
function state(goipId: string, over: Partial<LineState> = {}): LineState {
  return lineStateFixture({ goipId, ext: goipId.replace(/^g/, ""), ...over });
}

/** Run one batch scenario on `store` with goip ids `g<p>1` … `g<p>3`. */
async function batchScenario(store: Store, p: string): Promise<void> {
  const id = (n: number) => `g${p}${n}`;
  for (const n of [1, 2, 3]) {
    await store.addGateway({ ext: `${p}${n}`, goipPass: "pw", goipId: id(n) });
  }
  await store.saveLineState(state(id(1)));
  await store.saveLineState(state(id(2)));
  const quiet = state(id(1), {
    msisdn: "",
    imei: "",
    signal: null,
    remainTime: null,
    disableStatus: null,
    provider: "Tele2 😀 Россия",
    addr: "[::1]:5060",
    lastSeenMs: 1_700_000_060_000,
  });
  const before = await store.gatewaysVersion();
  await store.saveLineStates([
    quiet,
    state(id(2), { msisdn: "+70000000001", provider: "П".repeat(300) }),
    state(id(3), { gsmStatus: "LOGOUT", signal: 0 }),
    // The same line again: the later state wins.
    state(id(2), {
      msisdn: "+70000000002",
      provider: "П".repeat(300),
      lastSeenMs: 1_700_000_000_500,
    }),
  ]);
  // Empty values keep what the store knew; nulls are written as nulls.
  assert.deepStrictEqual(await store.lineState(id(1)), {
    ...quiet,
    msisdn: "+79990001122",
    imei: "356789012345678",
  });
  assert.deepStrictEqual(await store.lineState(id(2)), {
    ...state(id(2)),
    msisdn: "+70000000002",
    provider: "П".repeat(64),
    lastSeenMs: 1_700_000_000_500,
  });
  // A line without a row yet gets one.
  assert.deepStrictEqual(
    await store.lineState(id(3)),
    state(id(3), { gsmStatus: "LOGOUT", signal: 0 }),
  );
  // Numbers reach the gateways, and that counts as a gateway change.
  assert.deepStrictEqual(
    (await store.gatewayByGoipId(id(2)))?.msisdn,
    "+70000000002",
  );
  assert.deepStrictEqual(
    (await store.gatewayByGoipId(id(3)))?.msisdn,
    "+79990001122",
  );
  const after = await store.gatewaysVersion();
  assert.notDeepStrictEqual(after, before);
  // The same batch again learns nothing new: the version stays.
  await store.saveLineStates([quiet, state(id(3))]);
  assert.deepStrictEqual(await store.gatewaysVersion(), after);
  assert.deepStrictEqual(await store.saveLineStates([]), undefined);
}

storeContract("line state batches and the gateways version", [
  {
    name: "a batch ends as single saves would, in bulk and row by row",
    async fn({ store, second }) {
      await batchScenario(store, "1");
      await batchScenario(await second({ bulkWrites: false }), "2");
    },
  },
  {
    name: "a batch of 2,500 lines (more than one bulk statement) is written",
    async fn({ store }) {
      const ids = Array.from({ length: 2500 }, (_, i) => `g${10000 + i}`);
      await store.saveLineStates(ids.map((g) => state(g)));
      await store.saveLineStates(
        ids.map((g, i) => state(g, { lastSeenMs: 1_800_000_000_000 + i })),
      );
      for (const i of [0, 999, 1000, 2499]) {
        assert.deepStrictEqual(
          (await store.lineState(ids[i]))?.lastSeenMs,
          1_800_000_000_000 + i,
        );
      }
    },
  },
  {
    name: "gateways page by page: every gateway once, with its state",
    async fn({ store }) {
      const ids = ["gB", "ga", "g10", "g9", "g1"];
      for (const [i, g] of ids.entries()) {
        await store.addGateway({ ext: `30${i}`, goipPass: "pw", goipId: g });
      }
      await store.saveLineState(state("g9", { ext: "303" }));
      const seen: string[] = [];
      let after = "";
      for (;;) {
        const page = await store.gatewaysPage(after, 2);
        assert.ok(page.length <= 2, `a page of ${page.length}`);
        if (page.length === 0) break;
        for (const g of page) {
          seen.push(g.goipId);
          assert.deepStrictEqual(
            g.state?.goipId ?? null,
            g.goipId === "g9" ? "g9" : null,
          );
        }
        after = page[page.length - 1].goipId;
      }
      assert.deepStrictEqual([...seen].sort(), [...ids].sort());
      assert.deepStrictEqual(new Set(seen).size, ids.length);
    },
  },
  {
    name: "line counts: online, offline and disabled, by the database",
    async fn({ store }) {
      const now = 1_800_000_000_000;
      for (const n of [1, 2, 3, 4, 5]) {
        await store.addGateway({ ext: `40${n}`, goipPass: "pw" });
      }
      const seen = (ext: string, lastSeenMs: number, addr = "10.0.0.1:1") =>
        store.saveLineState(
          lineStateFixture({ goipId: `goippy_${ext}`, ext, lastSeenMs, addr }),
        );
      await seen("401", now - 1_000); // online
      await seen("402", now - 180_000); // online: exactly at the limit
      await seen("403", now - 180_001); // offline
      await seen("404", now - 1_000, ""); // no address: offline
      await seen("405", now - 1_000); // online, but disabled
      await store.setGatewayEnabled("405", false);
      assert.deepStrictEqual(await store.lineCounts(now - 180_000), {
        known: 5,
        online: 2,
        offline: 2,
        disabled: 1,
      });
    },
  },
  {
    name: "the gateways version changes with each gateway change, for all",
    async fn({ store, second }) {
      const cli = await second();
      const seen = [await store.gatewaysVersion()];
      assert.notDeepStrictEqual(seen[0], null, "migrate sets a version");
      const changed = async (what: string) => {
        const v = await store.gatewaysVersion();
        assert.ok(!seen.includes(v), `${what}: version ${v} seen before`);
        assert.deepStrictEqual(await cli.gatewaysVersion(), v);
        seen.push(v);
      };
      const same = async (what: string) => {
        assert.deepStrictEqual(
          await store.gatewaysVersion(),
          seen.at(-1),
          `${what} changed the version`,
        );
      };
      await cli.addGateway({ ext: "2001", goipPass: "pw", goipId: "g2001" });
      await changed("add");
      await cli.setGatewayEnabled("2001", false);
      await changed("disable");
      await cli.setGatewayEnabled("9999", false);
      await same("disabling a gateway that does not exist");
      await store.saveLineState(state("g2001", { msisdn: "+70000000009" }));
      await changed("a new number");
      await store.saveLineState(state("g2001", { msisdn: "+70000000009" }));
      await store.saveLineState(state("g2001", { msisdn: "" }));
      await same("the same number, or none");
      await cli.removeGateway("2001");
      await changed("remove");
      await cli.removeGateway("2001");
      await same("removing it again");
    },
  },
]);
