import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createLogger } from "../log.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import type { LineState, Store } from "../store/types.ts";
import { FLUSH_CHUNK, LineSaver } from "./line_saver.ts";

function state(goipId: string, lastSeenMs: number, signal = 20): LineState {
  return {
    goipId,
    ext: goipId.replace("goippy_", ""),
    msisdn: "",
    addr: "127.0.0.1:9991",
    lastSeenMs,
    signal,
    gsmStatus: "LOGIN",
    voipStatus: "",
    voipState: "",
    remainTime: null,
    provider: "EMT",
    disableStatus: null,
    imei: "",
    imsi: "",
    iccid: "",
  };
}

Deno.test("LineSaver: routine writes share a transaction (a large fleet a few), newest state wins; stop flushes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-saver-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    const batches: number[] = [];
    const counting: Pick<Store, "saveLineState" | "saveLineStates"> = {
      saveLineState: (s) => store.saveLineState(s),
      saveLineStates: (list) => {
        batches.push(list.length);
        return store.saveLineStates(list);
      },
    };
    const log = createLogger({
      level: "error",
      journald: false,
      write: () => {},
    });
    const saver = new LineSaver({ store: counting, log, flushMs: 10_000 });
    await saver.now(state("goippy_1", 1));
    assertEquals((await store.lineState("goippy_1"))?.lastSeenMs, 1);
    for (let i = 0; i < 100; i++) {
      saver.later(state(`goippy_${i % 10}`, 10 + i, i));
    }
    assertEquals(batches, []);
    assertEquals((await store.lineState("goippy_5"))?.lastSeenMs, undefined);
    await saver.stop();
    assertEquals(batches, [10]);
    const s9 = await store.lineState("goippy_9");
    assertEquals([s9?.lastSeenMs, s9?.signal], [109, 99]);
    // A fleet larger than one transaction's share: several, every line.
    const many = FLUSH_CHUNK * 2 + 5;
    for (let i = 0; i < many; i++) saver.later(state(`goippy_m${i}`, 500));
    await saver.stop();
    assertEquals(batches, [10, FLUSH_CHUNK, FLUSH_CHUNK, 5]);
    assertEquals(
      (await store.lineState(`goippy_m${many - 1}`))?.lastSeenMs,
      500,
    );
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LineSaver: urgent writes asked for together share one transaction, and each resolves once stored", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-saver-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    const calls: string[] = [];
    const counting: Pick<Store, "saveLineState" | "saveLineStates"> = {
      saveLineState: (s) => {
        calls.push("one");
        return store.saveLineState(s);
      },
      saveLineStates: (list) => {
        calls.push(`batch ${list.length}`);
        return store.saveLineStates(list);
      },
    };
    const log = createLogger({
      level: "error",
      journald: false,
      write: () => {},
    });
    const saver = new LineSaver({ store: counting, log, flushMs: 10_000 });
    await saver.now(state("goippy_0", 1));
    const ids = Array.from({ length: 50 }, (_, i) => `goippy_${i + 1}`);
    await Promise.all(
      ids.map(async (id) => {
        await saver.now(state(id, 2));
        // Stored by the time the caller goes on (it then answers the GoIP).
        assertEquals((await store.lineState(id))?.lastSeenMs, 2);
      }),
    );
    assertEquals(calls, ["one", "batch 50"]);
    await saver.stop();
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
