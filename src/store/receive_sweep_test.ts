import assert from "node:assert/strict";
import { migrate } from "./migrate.ts";
import { CounterSweep } from "./receive_sweep.ts";
import { SqliteDriver } from "./sqlite_driver.ts";

/** One counter (`n` = 1) seen at `seenMs` on each line. */
async function seed(d: SqliteDriver, lines: string[], seenMs: number) {
  for (const l of lines) {
    await d.run(
      "INSERT INTO goippy_receive_seen (goip_id, n, content_hash, seen_ms) " +
        "VALUES (?, 1, 'h', ?)",
      [l, seenMs],
    );
  }
}

async function left(d: SqliteDriver): Promise<string[]> {
  return (await d.all(
    "SELECT goip_id FROM goippy_receive_seen ORDER BY goip_id",
  )).map((r) => String(r.goip_id));
}

Deno.test("CounterSweep: old counters of noted lines go, at most once a second, none within the window", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-sweep-" });
  const d = new SqliteDriver(`${dir}/db.sqlite3`);
  try {
    await migrate(d);
    const sweep = new CounterSweep(d, 1_000);
    await seed(d, ["a", "b", "c"], 100);
    await seed(d, ["d"], 5_000);
    // Line "d" is within the window (cutoff 1,000): kept; "c" not noted.
    sweep.note(["a", "d"], 1_000, 10_000);
    await sweep.idle();
    assert.deepEqual(await left(d), ["b", "c", "d"]);
    // Less than a second later: noted, not swept yet.
    sweep.note(["b"], 1_000, 10_500);
    await sweep.idle();
    assert.deepEqual(await left(d), ["b", "c", "d"]);
    // A second after the last sweep: "b" (noted before) goes too.
    sweep.note([], 1_000, 11_000);
    await sweep.idle();
    assert.deepEqual(await left(d), ["c", "d"]);
  } finally {
    await d.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CounterSweep: a sweep due while one runs starts after it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-sweep-" });
  const d = new SqliteDriver(`${dir}/db.sqlite3`);
  try {
    await migrate(d);
    const sweep = new CounterSweep(d, 1_000);
    await seed(d, ["a", "b"], 100);
    sweep.note(["a"], 1_000, 10_000);
    sweep.note(["b"], 1_000, 11_000); // while the first may still run
    await sweep.idle();
    assert.deepEqual(await left(d), []);
  } finally {
    await d.close();
    await Deno.remove(dir, { recursive: true });
  }
});
