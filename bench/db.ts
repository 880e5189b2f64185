/**
 * A database for one benchmark daemon: a SQLite file in a temp dir or a
 * fresh database on the run's MariaDB, the config keys pointing at it, and
 * bulk gateway set-up through the store (before the daemon starts).
 *
 * @module
 */

import { openMysqlStore } from "../src/store/mysql.ts";
import { openSqliteStore } from "../src/store/sqlite.ts";
import type { NewGateway, Store } from "../src/store/types.ts";
import type { MariaDb } from "../tests/support/mariadb.ts";
import type { TomlValue } from "./toml.ts";
import type { Backend } from "./types.ts";

/** Where a daemon's data lives. */
export interface BenchDb {
  backend: Backend;
  /** The config keys that point goippy at it. */
  config: Record<string, TomlValue>;
  /** Open the store (migrated), for set-up before the daemon runs. */
  open(): Promise<Store>;
}

/** A fresh database named `name` (SQLite file in `dir`, or on `maria`). */
export async function makeDb(
  backend: Backend,
  dir: string,
  name: string,
  maria: MariaDb | null,
): Promise<BenchDb> {
  if (backend === "sqlite") {
    const path = `${dir}/${name}.sqlite3`;
    return {
      backend,
      config: { DB_BACKEND: "sqlite", SQLITE_PATH: path },
      async open() {
        // Set-up only: goippy itself opens the file with synchronous=FULL.
        const store = openSqliteStore(path, undefined, { synchronous: "OFF" });
        await store.migrate();
        return store;
      },
    };
  }
  if (!maria) throw new Error("MariaDB backend without a MariaDB");
  const database = await maria.createDatabase(name);
  const conn = {
    host: maria.host,
    port: maria.port,
    user: maria.user,
    password: maria.password,
    database,
  };
  return {
    backend,
    config: {
      DB_BACKEND: "mysql",
      DB_HOST: conn.host,
      DB_PORT: conn.port,
      DB_USER: conn.user,
      DB_PASS: conn.password,
      DB_NAME: conn.database,
    },
    async open() {
      const store = await openMysqlStore(conn);
      await store.migrate();
      return store;
    },
  };
}

/** Gateway `i` of a bench range: goip_id `<prefix><i>`, ext `<prefix>x<i>`, password `pw`. */
export function benchGateway(prefix: string, i: number): NewGateway {
  return {
    ext: `${prefix}x${i}`,
    goipId: `${prefix}${i}`,
    goipPass: "pw",
    allowRegex: ".*",
  };
}

/** Add gateways through the store, `parallel` at a time (MySQL pools). */
export async function addGateways(
  db: BenchDb,
  gateways: NewGateway[],
  parallel = 8,
): Promise<void> {
  const store = await db.open();
  try {
    let next = 0;
    const worker = async () => {
      while (next < gateways.length) {
        await store.addGateway(gateways[next++]);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    await store.close();
  }
}
