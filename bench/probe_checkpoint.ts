/**
 * `deno run -A bench/probe_checkpoint.ts`: how long the event loop stops in
 * one RECEIVE batch's transaction on SQLite (synchronous=FULL), with
 * SQLite's automatic checkpoint (inside the COMMIT that crosses 1,000 WAL
 * pages) and with the daemon's checkpoint worker. Same store code, same
 * batches (20 SMS each, as at ~10,000/s), the two runs alternate; prints the
 * median, p99, p99.9 and longest transaction of each. A stall longer than the
 * socket's receive buffer lasts at the offered rate is a drop.
 *
 * @module
 */

import { openSqliteStore } from "../src/store/sqlite.ts";
import type { IncomingSms } from "../src/store/types.ts";
import { percentile } from "./stats.ts";

const BATCHES = 1500;
const PER_BATCH = 20;

function sms(line: number, n: number): IncomingSms {
  const body = `probe ${line} ${n} ${"x".repeat(120)}`;
  return {
    goipId: `probe${line}`,
    ext: `${line}`,
    n,
    srcnum: "+3725550000",
    body,
    delivery: {
      kind: "chat",
      fromJid: "+3725550000@sms.example.org",
      toJid: `${line}@example.org`,
      body,
      refId: "",
      goipId: `probe${line}`,
    },
  };
}

async function run(worker: boolean): Promise<number[]> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-probe-" });
  const store = openSqliteStore(
    `${dir}/p.sqlite3`,
    undefined,
    worker ? { checkpointEveryMs: 500 } : {},
  );
  await store.migrate();
  const times: number[] = [];
  let n = 0;
  try {
    for (let b = 0; b < BATCHES; b++) {
      const list = Array.from(
        { length: PER_BATCH },
        (_, i) => sms(i % 8, ++n),
      );
      const t0 = performance.now();
      await store.storeIncomingBatch(list, 86_400_000, Date.now());
      times.push(performance.now() - t0);
    }
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
  return times;
}

if (import.meta.main) {
  const all: Record<string, number[]> = { automatic: [], worker: [] };
  for (let round = 0; round < 2; round++) {
    all.automatic.push(...await run(false));
    all.worker.push(...await run(true));
  }
  for (const [name, t] of Object.entries(all)) {
    const f = (x: number | null) => x === null ? "–" : x.toFixed(1);
    console.log(
      `${name.padEnd(9)} ${t.length} batches of ${PER_BATCH}: p50 ${
        f(percentile(t, 50))
      } ms, p99 ${f(percentile(t, 99))} ms, p99.9 ${
        f(percentile(t, 99.9))
      } ms, max ${f(Math.max(...t))} ms`,
    );
  }
}
