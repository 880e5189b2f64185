import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createLogger } from "../log.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import type { LineState, Store } from "../store/types.ts";
import { LineSaver } from "./line_saver.ts";

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

Deno.test("LineSaver: routine writes share one transaction, newest state wins; stop flushes", async () => {
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
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
