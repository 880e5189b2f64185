import assert from "node:assert/strict";
import type { SqlDriver } from "./sql_driver.ts";
import { SqliteDriver, type SqliteDriverOptions } from "./sqlite_driver.ts";
import { SqliteWorkerDriver } from "./sqlite_worker_driver.ts";

/** Both SQLite drivers must behave the same: every test runs on each. */
const DRIVERS: [
  string,
  (path: string, opts?: SqliteDriverOptions) => Promise<SqlDriver>,
][] = [
  [
    "SqliteDriver",
    (path, opts) => Promise.resolve(new SqliteDriver(path, opts)),
  ],
  ["SqliteWorkerDriver", (path, opts) => SqliteWorkerDriver.open(path, opts)],
];

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "goippy-sqlite-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const [name, open] of DRIVERS) {
  Deno.test(`${name}: WAL, synchronous=FULL, short blocking busy wait`, async () => {
    await withDir(async (dir) => {
      const d = await open(`${dir}/a.sqlite3`);
      try {
        assert.equal(
          (await d.all("PRAGMA journal_mode"))[0].journal_mode,
          "wal",
        );
        assert.equal((await d.all("PRAGMA synchronous"))[0].synchronous, 2);
        assert.equal((await d.all("PRAGMA busy_timeout"))[0].timeout, 50);
      } finally {
        await d.close();
      }
      const fast = await open(`${dir}/b.sqlite3`, {
        synchronous: "NORMAL",
      });
      try {
        assert.equal((await fast.all("PRAGMA synchronous"))[0].synchronous, 1);
      } finally {
        await fast.close();
      }
    });
  });

  Deno.test(`${name}: a transaction that throws is rolled back`, async () => {
    await withDir(async (dir) => {
      const d = await open(`${dir}/a.sqlite3`);
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

  Deno.test(`${name}: a writer waits for another connection's transaction without blocking it`, async () => {
    await withDir(async (dir) => {
      const a = await open(`${dir}/a.sqlite3`);
      const b = await open(`${dir}/a.sqlite3`);
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

  Deno.test(`${name}: unique violations are recognised`, async () => {
    await withDir(async (dir) => {
      const d = await open(`${dir}/a.sqlite3`);
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

  Deno.test(`${name}: a statement from another caller waits for the open transaction`, async () => {
    await withDir(async (dir) => {
      const d = await open(`${dir}/a.sqlite3`);
      try {
        await d.exec("CREATE TABLE t (x INTEGER)");
        const seen: number[][] = [];
        const tx = d.transaction(async (c) => {
          await c.run("INSERT INTO t (x) VALUES (1)");
          await new Promise((r) => setTimeout(r, 50));
          seen.push((await c.all("SELECT x FROM t")).map((r) => Number(r.x)));
          throw new Error("undo");
        });
        const outside = d.run("INSERT INTO t (x) VALUES (2)");
        await assert.rejects(tx, /undo/);
        await outside;
        assert.deepEqual(seen, [[1]]);
        assert.deepEqual((await d.all("SELECT x FROM t")).map((r) => r.x), [2]);
      } finally {
        await d.close();
      }
    });
  });

  Deno.test(`${name}: a full database fails with SQLite's message and rolls back`, async () => {
    await withDir(async (dir) => {
      const d = await open(`${dir}/a.sqlite3`);
      try {
        await d.exec("CREATE TABLE t (x TEXT)");
        const pages = Number(
          (await d.all("PRAGMA page_count"))[0].page_count,
        );
        await d.exec(`PRAGMA max_page_count = ${pages + 1}`);
        const err = await d.transaction(async (c) => {
          for (let i = 0; i < 100; i++) {
            await c.run("INSERT INTO t (x) VALUES (?)", ["x".repeat(1000)]);
          }
        }).then(() => null, (e) => e);
        assert.match(String(err?.message), /database or disk is full/);
        assert.equal(err.code, "ERR_SQLITE_ERROR");
        assert.deepEqual(await d.all("SELECT x FROM t"), []);
      } finally {
        await d.close();
      }
    });
  });
}
