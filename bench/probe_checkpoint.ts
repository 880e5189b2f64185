/**
 * `deno run -A bench/probe_checkpoint.ts`: how long the event loop stops
 * while RECEIVE batches are stored on SQLite (synchronous=FULL), three ways:
 * the synchronous driver with SQLite's automatic checkpoint (inside the
 * COMMIT that crosses 1,000 WAL pages), the synchronous driver with the
 * checkpoint worker, and the connection in a worker thread (the daemon's
 * driver) with the checkpoint worker. Same store code, same batches (20 SMS
 * each, as at ~10,000/s), the runs alternate; prints the median, p99, p99.9
 * and longest transaction of each, and the event loop's longest stalls (gaps
 * between the ticks of a 1 ms timer). A stall longer than the socket's
 * receive buffer lasts at the offered rate is a drop. Then the cost of one
 * round trip to the worker (a `SELECT 1`), against the synchronous driver.
 *
 * @module
 */

import { openSqliteStore, openSqliteWorkerStore } from "../src/store/sqlite.ts";
import { SqliteDriver } from "../src/store/sqlite_driver.ts";
import { SqliteWorkerDriver } from "../src/store/sqlite_worker_driver.ts";
import type { SqlDriver } from "../src/store/sql_driver.ts";
import type { Store } from "../src/store/types.ts";
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

type Mode = "automatic" | "worker" | "thread";

function open(mode: Mode, path: string): Promise<Store> {
  if (mode === "thread") {
    return openSqliteWorkerStore(path, undefined, { checkpointEveryMs: 500 });
  }
  return Promise.resolve(openSqliteStore(
    path,
    undefined,
    mode === "worker" ? { checkpointEveryMs: 500 } : {},
  ));
}

/** Transaction times and event-loop gaps (ms) of one run. */
async function run(mode: Mode): Promise<{ tx: number[]; gaps: number[] }> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-probe-" });
  const store = await open(mode, `${dir}/p.sqlite3`);
  await store.migrate();
  const tx: number[] = [];
  const gaps: number[] = [];
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  let n = 0;
  try {
    for (let b = 0; b < BATCHES; b++) {
      const list = Array.from(
        { length: PER_BATCH },
        (_, i) => sms(i % 8, ++n),
      );
      const t0 = performance.now();
      await store.storeIncomingBatch(list, 86_400_000, Date.now());
      tx.push(performance.now() - t0);
      // The daemon reads its socket between batches: let timers run.
      await new Promise((r) => setTimeout(r, 0));
    }
  } finally {
    clearInterval(ticker);
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
  return { tx, gaps };
}

/** Microseconds per `SELECT 1` awaited one after the other. */
async function roundTrip(d: SqlDriver, count: number): Promise<number> {
  for (let i = 0; i < 1000; i++) await d.all("SELECT 1");
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await d.all("SELECT 1");
  return (performance.now() - t0) * 1000 / count;
}

if (import.meta.main) {
  const modes: Mode[] = ["automatic", "worker", "thread"];
  const all = Object.fromEntries(
    modes.map((m) => [m, { tx: [] as number[], gaps: [] as number[] }]),
  );
  for (let round = 0; round < 2; round++) {
    for (const m of modes) {
      const r = await run(m);
      all[m].tx.push(...r.tx);
      all[m].gaps.push(...r.gaps);
    }
  }
  const f = (x: number | null) => x === null ? "–" : x.toFixed(1);
  for (const [name, { tx, gaps }] of Object.entries(all)) {
    console.log(
      `${name.padEnd(9)} ${tx.length} batches of ${PER_BATCH}: p50 ${
        f(percentile(tx, 50))
      } ms, p99 ${f(percentile(tx, 99))} ms, p99.9 ${
        f(percentile(tx, 99.9))
      } ms, max ${f(Math.max(...tx))} ms; event loop gaps p99 ${
        f(percentile(gaps, 99))
      } ms, p99.9 ${f(percentile(gaps, 99.9))} ms, max ${
        f(Math.max(...gaps))
      } ms`,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "goippy-probe-" });
  try {
    const sync = new SqliteDriver(`${dir}/rt.sqlite3`);
    const thread = await SqliteWorkerDriver.open(`${dir}/rt.sqlite3`);
    try {
      for (let round = 0; round < 2; round++) {
        console.log(
          `round trip (SELECT 1): synchronous ${
            (await roundTrip(sync, 20_000)).toFixed(1)
          } µs, worker ${(await roundTrip(thread, 20_000)).toFixed(1)} µs`,
        );
      }
    } finally {
      await sync.close();
      await thread.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
