/**
 * Store contract, the dedupe of DELIVER, RECORD, HANGUP and USSN
 * (`goippy_event_seen`): a mark is found within the window for the same
 * line, name, counter and content only; marking again refreshes it; old
 * marks of a line are forgotten. Runs on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";
import type { EventKey } from "../src/store/types.ts";

const MIN = 60_000;
const T0 = 1_800_000_000_000;

function key(n: number, hash: string, kind = "DELIVER"): EventKey {
  return { goipId: "goippy_2001", kind, n, hash };
}

storeContract("event dedupe key", [
  {
    name: "a retransmission is seen; another event reusing n is not",
    async fn({ store }) {
      const seen = (k: EventKey, at: number) =>
        store.eventSeen(k, at - 10 * MIN);
      assert.equal(await seen(key(7, "a"), T0), false);
      await store.markEventSeen(key(7, "a"), T0, T0 - 10 * MIN);
      assert.equal(await seen(key(7, "a"), T0 + 3000), true);
      // Same n, other content (the GoIP rebooted), or another event name.
      assert.equal(await seen(key(7, "b"), T0 + 3000), false);
      assert.equal(await seen(key(7, "a", "HANGUP"), T0 + 3000), false);
      assert.equal(
        await seen({ ...key(7, "a"), goipId: "goippy_2002" }, T0 + 3000),
        false,
      );
      // Past the window it is new again; marking twice is fine.
      assert.equal(await seen(key(7, "a"), T0 + 11 * MIN), false);
      await store.markEventSeen(key(7, "a"), T0 + 11 * MIN, T0 + MIN);
      assert.equal(await seen(key(7, "a"), T0 + 12 * MIN), true);
    },
  },
  {
    name: "old marks of a line are forgotten when a new one is written",
    async fn({ store, raw }) {
      await store.markEventSeen(key(1, "a"), T0, T0 - 10 * MIN);
      await store.markEventSeen(key(2, "b"), T0 + 20 * MIN, T0 + 10 * MIN);
      const rows = await raw("SELECT n FROM goippy_event_seen ORDER BY n");
      assert.deepEqual(rows.map((r) => Number(r.n)), [2]);
    },
  },
]);
