import assert from "node:assert/strict";
import { SqliteDriver } from "./sqlite_driver.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "goippy-sqlite-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SqliteDriver: WAL, synchronous=FULL, short blocking busy wait", async () => {
  await withDir(async (dir) => {
    const d = new SqliteDriver(`${dir}/a.sqlite3`);
    try {
      assert.equal((await d.all("PRAGMA journal_mode"))[0].journal_mode, "wal");
      assert.equal((await d.all("PRAGMA synchronous"))[0].synchronous, 2);
      assert.equal((await d.all("PRAGMA busy_timeout"))[0].timeout, 50);
    } finally {
      await d.close();
    }
    const fast = new SqliteDriver(`${dir}/b.sqlite3`, {
      synchronous: "NORMAL",
    });
    try {
      assert.equal((await fast.all("PRAGMA synchronous"))[0].synchronous, 1);
    } finally {
      await fast.close();
    }
  });
});

Deno.test("SqliteDriver: a transaction that throws is rolled back", async () => {
  await withDir(async (dir) => {
    const d = new SqliteDriver(`${dir}/a.sqlite3`);
    try {
      await d.exec("CREATE TABLE t (x INTEGER)");
      await assert.rejects(
        () =>
          d.transaction(async (c) => {
            await c.run("INSERT INTO t (x) VALUES (?)", [1]);
            throw new Error("boom");
          }),
        /boom/,
      );
      assert.deepEqual(await d.all("SELECT x FROM t"), []);
      const id = await d.transaction(async (c) =>
        (await c.run("INSERT INTO t (x) VALUES (?)", [true])).lastId
      );
      assert.equal(id, 1);
      assert.deepEqual(
        (await d.all("SELECT x FROM t")).map((r) => r.x),
        [1],
      );
    } finally {
      await d.close();
    }
  });
});

Deno.test("SqliteDriver: a writer waits for another connection's transaction without blocking it", async () => {
  await withDir(async (dir) => {
    const a = new SqliteDriver(`${dir}/a.sqlite3`);
    const b = new SqliteDriver(`${dir}/a.sqlite3`);
    try {
      await a.exec("CREATE TABLE t (x INTEGER)");
      const order: string[] = [];
      // `a` holds the write lock across real event-loop turns.
      const slow = a.transaction(async (c) => {
        await c.run("INSERT INTO t (x) VALUES (1)");
        await new Promise((r) => setTimeout(r, 300));
        order.push("a commits");
      });
      await new Promise((r) => setTimeout(r, 20));
      await b.run("INSERT INTO t (x) VALUES (2)");
      order.push("b wrote");
      await slow;
      assert.deepEqual(order, ["a commits", "b wrote"]);
      assert.deepEqual(
        (await b.all("SELECT x FROM t ORDER BY rowid")).map((r) => r.x),
        [1, 2],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});

Deno.test("SqliteDriver: unique violations are recognised", async () => {
  await withDir(async (dir) => {
    const d = new SqliteDriver(`${dir}/a.sqlite3`);
    try {
      await d.exec("CREATE TABLE t (x TEXT UNIQUE)");
      await d.run("INSERT INTO t (x) VALUES (?)", ["a"]);
      const err = await d.run("INSERT INTO t (x) VALUES (?)", ["a"]).then(
        () => null,
        (e) => e,
      );
      assert.ok(d.isUniqueViolation(err));
      assert.ok(!d.isUniqueViolation(new Error("other")));
    } finally {
      await d.close();
    }
  });
});
