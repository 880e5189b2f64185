import assert from "node:assert/strict";
import { migrate } from "./migrate.ts";
import { addGateway } from "./sql_gateways.ts";
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

Deno.test("SqliteWorkerDriver: a call waits for a transaction under way; calls posted together each get their own answer", async () => {
  await withDir(async (dir) => {
    const d = await SqliteWorkerDriver.open(`${dir}/a.sqlite3`);
    try {
      await migrate(d);
      await addGateway(d, { ext: "1001", goipPass: "pw" });
      await addGateway(d, { ext: "1002", goipPass: "pw" });
      const { promise: midway, resolve: reachMidway } = Promise
        .withResolvers<void>();
      const { promise: goOn, resolve: letGoOn } = Promise.withResolvers<
        void
      >();
      const tx = d.transaction(async (c) => {
        await c.run(
          "UPDATE goippy_gateways SET enabled = 0 WHERE ext = '1001'",
        );
        reachMidway();
        await goOn;
        await c.run(
          "UPDATE goippy_gateways SET allow_regex = '^\\+372' WHERE ext = '1001'",
        );
      });
      await midway;
      const looks = [
        d.call("lookLines", [["goippy_1001"]]),
        d.call("lookLines", [["goippy_1002", "goippy_1001"]]),
        d.call("lookLines", [[]]),
      ];
      letGoOn();
      await tx;
      const [one, both, none] = await Promise.all(looks);
      // Both changes or neither: never the transaction's half.
      assert.deepEqual(
        one.map((l) => [l.gateway?.enabled, l.gateway?.allowRegex]),
        [[false, "^\\+372"]],
      );
      assert.deepEqual(both.map((l) => l.gateway?.ext), ["1002", "1001"]);
      assert.deepEqual(none, []);
    } finally {
      await d.close();
    }
  });
});
