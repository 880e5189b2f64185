import assert from "node:assert/strict";
import { SqliteWorkerDriver } from "./sqlite_worker_driver.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "goippy-sqlite-worker-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SqliteWorkerDriver: a file that cannot be opened fails open() with SQLite's reason", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      () => SqliteWorkerDriver.open(`${dir}/missing/a.sqlite3`),
      /unable to open database file/,
    );
  });
});

Deno.test("SqliteWorkerDriver: statements of one tick each get their own result", async () => {
  await withDir(async (dir) => {
    const d = await SqliteWorkerDriver.open(`${dir}/a.sqlite3`);
    try {
      await d.exec("CREATE TABLE t (x TEXT UNIQUE)");
      const results = await Promise.allSettled([
        d.run("INSERT INTO t (x) VALUES (?)", ["a"]),
        d.run("INSERT INTO t (x) VALUES (?)", ["a"]),
        d.all("SELECT x FROM t"),
        d.run("INSERT INTO t (x) VALUES (?)", ["b"]),
      ]);
      assert.deepEqual(results.map((r) => r.status), [
        "fulfilled",
        "rejected",
        "fulfilled",
        "fulfilled",
      ]);
      assert.ok(
        d.isUniqueViolation((results[1] as PromiseRejectedResult).reason),
      );
      assert.deepEqual((results[2] as PromiseFulfilledResult<unknown>).value, [
        { x: "a" },
      ]);
      assert.deepEqual(
        (results[3] as PromiseFulfilledResult<unknown>).value,
        { changes: 1, lastId: 2 },
      );
    } finally {
      await d.close();
    }
  });
});

Deno.test("SqliteWorkerDriver: after close, statements fail and the data is on disk", async () => {
  await withDir(async (dir) => {
    const d = await SqliteWorkerDriver.open(`${dir}/a.sqlite3`, {
      checkpointEveryMs: 20,
    });
    await d.exec("CREATE TABLE t (x INTEGER)");
    await d.transaction((c) => c.run("INSERT INTO t (x) VALUES (7)"));
    await d.close();
    await d.close();
    await assert.rejects(() => d.all("SELECT x FROM t"), /not open/);
    const again = await SqliteWorkerDriver.open(`${dir}/a.sqlite3`);
    try {
      assert.deepEqual(await again.all("SELECT x FROM t"), [{ x: 7 }]);
    } finally {
      await again.close();
    }
  });
});
