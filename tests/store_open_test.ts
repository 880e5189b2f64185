/**
 * `openStore`: the config picks the dialect; a database that cannot be
 * opened is one clear error naming where it looked.
 */

import assert from "node:assert/strict";
import { defaultConfig } from "../src/config/load.ts";
import { createLogger } from "../src/log.ts";
import { openStore } from "../src/store/open.ts";
import { freeTcpPort } from "./support/ports.ts";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";

function quietLog() {
  const lines: string[] = [];
  return {
    lines,
    log: createLogger({
      level: "debug",
      journald: false,
      write: (l) => lines.push(l),
    }),
  };
}

Deno.test("openStore: SQLite file from SQLITE_PATH, migrated by the caller", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = { ...defaultConfig(), SQLITE_PATH: `${dir}/g.sqlite3` };
    const { log } = quietLog();
    const store = await openStore(config, log);
    try {
      assert.equal(store.dialect, "sqlite");
      await store.migrate();
      await store.addGateway({ ext: "2001", goipPass: "pw" });
    } finally {
      await store.close();
    }
    const again = await openStore(config, log);
    try {
      assert.equal((await again.gatewayByExt("2001"))?.goipId, "goippy_2001");
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openStore: an SQLite path that cannot be opened is a clear error", async () => {
  const config = {
    ...defaultConfig(),
    SQLITE_PATH: "/nonexistent-dir-goippy/sub/g.sqlite3",
  };
  await assert.rejects(
    () => openStore(config, quietLog().log),
    /cannot open SQLite database \/nonexistent-dir-goippy\/sub\/g\.sqlite3/,
  );
});

Deno.test("openStore: MySQL that does not answer is a clear error", async () => {
  const port = freeTcpPort();
  const config = {
    ...defaultConfig(),
    DB_BACKEND: "mysql" as const,
    DB_HOST: "127.0.0.1",
    DB_PORT: port,
    DB_USER: "goippy",
    DB_PASS: "pw",
    DB_NAME: "messaging",
  };
  await assert.rejects(
    () => openStore(config, quietLog().log),
    new RegExp(`cannot connect to MySQL at 127\\.0\\.0\\.1:${port} as goippy`),
  );
});

const missing = !haveMariaDb() && !Deno.env.get("CI");
if (missing) console.warn(`openStore MySQL tests: ${MARIADB_MISSING}`);

Deno.test({
  name: "openStore: MySQL with DB_* keys; a wrong password is refused clearly",
  ignore: missing,
  async fn() {
    const db = await startMariaDb();
    if (!db) throw new Error(MARIADB_MISSING);
    try {
      const config = {
        ...defaultConfig(),
        DB_BACKEND: "mysql" as const,
        DB_HOST: db.host,
        DB_PORT: db.port,
        DB_USER: db.user,
        DB_PASS: db.password,
        DB_NAME: db.database,
      };
      const store = await openStore(config, quietLog().log);
      try {
        assert.equal(store.dialect, "mysql");
        await store.migrate();
        assert.deepEqual(await store.listGateways(), []);
      } finally {
        await store.close();
      }
      const err = await openStore(
        { ...config, DB_PASS: "wrong" },
        quietLog().log,
      )
        .then(() => null, (e: Error) => e);
      assert.ok(err, "a wrong password must be refused");
      assert.match(err.message, /cannot connect to MySQL .*Access denied/);
      assert.ok(!err.message.includes("wrong"), "the password is not shown");
    } finally {
      await db.stop();
    }
  },
});
