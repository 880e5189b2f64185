/**
 * The daemon's heartbeat (`goippy_instances`) and what the CLI makes of it:
 * --send/--ussd on a database no daemon serves (never started, stopped,
 * killed) refuse at once in one line and write nothing; with the daemon
 * running they go ahead. SQLite and MariaDB.
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { goippy } from "./support/cli.ts";
import { startDaemon } from "./support/daemon.ts";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import type { MariaDb } from "./support/mariadb.ts";
import { VERSION } from "../src/version.ts";
import { freeTcpPort } from "./support/ports.ts";

const FIX = "; start it (systemctl start goippy / deno task start)\n";

async function eventually(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not within 15 s: ${what}`);
}

async function story(dir: string, db?: MariaDb) {
  const keys: Record<string, string | number> = db
    ? {
      DB_BACKEND: "mysql",
      DB_HOST: db.host,
      DB_PORT: db.port,
      DB_USER: db.user,
      DB_PASS: db.password,
      DB_NAME: db.database,
    }
    : { SQLITE_PATH: `${dir}/goippy.sqlite3` };
  const instance = {
    INSTANCE_ID: "test-a",
    INSTANCE_DEAD_AFTER: 3,
    METRICS_BIND: `127.0.0.1:${freeTcpPort()}`,
  };
  const conf = `${dir}/goippy.conf`;
  await Deno.writeTextFile(
    conf,
    Object.entries({ ...keys, ...instance })
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}\n`).join(""),
    { mode: 0o600 },
  );
  const run = (...args: string[]) => goippy(["--config", conf, ...args]);
  assertEquals((await run("--add", "2001", "pw1")).code, 0);

  // never started: both refuse in one line, before writing anything
  const never = "goippy: no goippy daemon is running on this database " +
    `(never a heartbeat)${FIX}`;
  const send = await run("--send", "2001", "+3725551234", "tere");
  assertEquals([send.code, send.stdout, send.stderr], [1, "", never]);
  const ussd = await run("--ussd", "2001", "*100#");
  assertEquals([ussd.code, ussd.stdout, ussd.stderr], [1, "", never]);

  const d = await startDaemon({
    tmpDir: dir,
    dbBackend: db ? "mysql" : "sqlite",
    mysql: db,
    config: instance,
  });
  try {
    const store = await d.openStore();
    try {
      assertEquals(await store.outboxItem(1), undefined, "nothing written");
      const [row, ...more] = await store.instances();
      assertEquals(more, []);
      assertEquals(
        [row.instanceId, row.version, row.stoppedMs],
        ["test-a", VERSION, null],
      );
      assert(
        row.pid > 0 && row.heartbeatMs >= row.startedMs,
        JSON.stringify(row),
      );

      // --check next to its own running daemon (a reload): the ports it
      // holds are no problem
      const check = await run("--check");
      assertEquals(check.code, 0, check.stderr);
      assertMatch(
        check.stderr,
        /note: GoIP UDP 127\.0\.0\.1:\d+ and METRICS_BIND 127\.0\.0\.1:\d+ held by the running goippy test-a \(pid \d+ on /,
      );

      // running: the request goes to the outbox (the line is offline, so
      // no outcome within the second)
      const queued = await run(
        "--send",
        "2001",
        "+3725551234",
        "hi",
        "--timeout",
        "1",
      );
      assertEquals(queued.code, 2, queued.stderr);
      assert(!queued.stderr.includes("no goippy daemon"), queued.stderr);

      // heartbeats keep coming (every second with a 3 s limit)
      const first = row.heartbeatMs;
      await eventually(
        "a later heartbeat",
        async () => (await store.instances())[0].heartbeatMs > first,
      );

      // stopped cleanly: the row says so
      assertEquals(await d.stop(), 0);
      assert((await store.instances())[0].stoppedMs !== null);
      const stopped = await run("--ussd", "2001", "*100#");
      assertEquals(stopped.code, 1);
      assertMatch(
        stopped.stderr,
        /^goippy: no goippy daemon is running on this database \(last heartbeat \d+ s ago from test-a, stopped\); start it \(systemctl start goippy \/ deno task start\)\n$/,
      );

      // killed: the heartbeat stops and ages past INSTANCE_DEAD_AFTER
      await d.restart();
      assertEquals((await store.instances())[0].stoppedMs, null);
      await d.kill();
      await eventually(
        "the last heartbeat is older than 3 s",
        async () =>
          Date.now() - (await store.instances())[0].heartbeatMs > 3500,
      );
      const killed = await run("--send", "2001", "+3725551234", "x");
      assertEquals(killed.code, 1);
      assertMatch(
        killed.stderr,
        /^goippy: no goippy daemon is running on this database \(last heartbeat \d+ s ago from test-a\); start it/,
      );
      // only the request made while the daemon ran (withdrawn at its timeout)
      assertEquals((await store.outboxItem(1))?.state, "failed");
      assertEquals(await store.outboxItem(2), undefined);
    } finally {
      await store.close();
    }
  } catch (err) {
    console.error(d.logs());
    throw err;
  } finally {
    await d.stop();
  }
}

Deno.test("--send/--ussd know at once whether a daemon runs (SQLite)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-heartbeat-" });
  try {
    await story(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "--send/--ussd know at once whether a daemon runs (MariaDB)",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  async fn() {
    const db = await startMariaDb();
    if (!db) throw new Error(MARIADB_MISSING);
    const dir = await Deno.makeTempDir({ prefix: "goippy-heartbeat-" });
    try {
      await story(dir, db);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await db.stop();
    }
  },
});
