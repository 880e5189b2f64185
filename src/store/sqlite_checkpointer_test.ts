import assert from "node:assert/strict";
import { waitFor } from "../../tests/support/poll.ts";
import { SqliteDriver } from "./sqlite_driver.ts";

/** Size of the database file itself (not its WAL). */
async function fileSize(path: string): Promise<number> {
  return (await Deno.stat(path)).size;
}

async function fill(d: SqliteDriver): Promise<void> {
  await d.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  // About 2 MB: under SQLite's own checkpoint threshold (1000 pages).
  await d.transaction(async (c) => {
    for (let i = 0; i < 500; i++) {
      await c.run("INSERT INTO t (body) VALUES (?)", ["x".repeat(4000)]);
    }
  });
}

Deno.test("SqliteDriver: a worker copies the WAL into the file, the daemon's connection does not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-ckpt-" });
  const path = `${dir}/a.sqlite3`;
  const d = new SqliteDriver(path, { checkpointEveryMs: 20 });
  try {
    const auto = await d.all("PRAGMA wal_autocheckpoint");
    assert.equal(auto[0].wal_autocheckpoint, 0);
    await fill(d);
    await waitFor(
      async () => await fileSize(path) > 1_000_000,
      10_000,
      () => `the database file stayed at ${Deno.statSync(path).size} bytes`,
    );
    // Still durable and usable: the rows are there after the checkpoints.
    const n = await d.all("SELECT count(*) AS n FROM t");
    assert.equal(n[0].n, 500);
  } finally {
    await d.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteDriver: without a checkpointer SQLite checkpoints by itself", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-ckpt-" });
  const path = `${dir}/a.sqlite3`;
  const d = new SqliteDriver(path);
  try {
    const auto = await d.all("PRAGMA wal_autocheckpoint");
    assert.equal(auto[0].wal_autocheckpoint, 1000);
    await fill(d);
    // Below the threshold, nothing copied the WAL into the file.
    assert.ok(await fileSize(path) < 1_000_000);
  } finally {
    await d.close();
    await Deno.remove(dir, { recursive: true });
  }
});
