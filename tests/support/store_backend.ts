/**
 * Runs one table of store behaviours against SQLite and against a real
 * MariaDB (started for the test, on a free port, in a temp dir). Each case
 * gets a fresh, migrated database of its own.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import mysql from "mysql2/promise";
import { openMysqlStore } from "../../src/store/mysql.ts";
import {
  openSqliteStore,
  openSqliteWorkerStore,
} from "../../src/store/sqlite.ts";
import type { SqlStoreOptions } from "../../src/store/sql_store.ts";
import type { Dialect, Store } from "../../src/store/types.ts";
import {
  haveMariaDb,
  type MariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./mariadb.ts";

/** The clock of a case's stores: it moves only when told. */
export interface TestClock {
  /** Epoch ms. */
  now(): number;
  /** Move the clock forward. */
  advance(ms: number): void;
}

/** What a case gets. */
export interface StoreCtx {
  dialect: Dialect;
  /** The clock every store of the case writes times with. */
  clock: TestClock;
  /** Open, migrated store (closed by the harness). */
  store: Store;
  /** Close `store` and open the same database again (migrated). */
  reopen(): Promise<Store>;
  /** Another store on the same database, same clock (closed by the harness). */
  second(opts?: SqlStoreOptions): Promise<Store>;
  /** Raw SQL on the same database, outside the store. */
  raw(sql: string): Promise<Record<string, unknown>[]>;
  /** The MariaDB server (mysql only). */
  mariadb?: MariaDb;
}

/** One behaviour; `fresh: true` gets an empty, not yet migrated database. */
export interface StoreCase {
  name: string;
  fresh?: boolean;
  /** Load this SQL (per dialect) before opening the store. */
  seed?: (dialect: Dialect) => Promise<string>;
  only?: Dialect;
  fn: (ctx: StoreCtx) => Promise<void>;
}

/**
 * The two SQLite drivers: the synchronous one (CLI commands) and the one
 * with its connection in a worker (the daemon).
 */
const SQLITE_VARIANTS: [
  label: string,
  open: (path: string, opts?: SqlStoreOptions) => Promise<Store>,
][] = [
  [
    "sqlite",
    (path, opts) => Promise.resolve(openSqliteStore(path, undefined, opts)),
  ],
  [
    "sqlite worker",
    (path, opts) => openSqliteWorkerStore(path, undefined, opts),
  ],
];

/**
 * Register `Store: <title> [sqlite]`, `[sqlite worker]` and `[mysql]` tests
 * running `cases` as steps.
 */
export function storeContract(title: string, cases: StoreCase[]): void {
  for (const [label, openSqlite] of SQLITE_VARIANTS) {
    sqliteContract(`Store: ${title} [${label}]`, cases, openSqlite);
  }

  const missing = !haveMariaDb() && !Deno.env.get("CI");
  if (missing) console.warn(`Store: ${title} [mysql]: ${MARIADB_MISSING}`);
  Deno.test({
    name: `Store: ${title} [mysql]`,
    ignore: missing,
    async fn(t) {
      const db = await startMariaDb();
      if (!db) throw new Error(MARIADB_MISSING);
      try {
        let i = 0;
        for (const c of cases) {
          if (c.only && c.only !== "mysql") continue;
          const database = await db.createDatabase(`case${i++}`);
          const { host, port, user, password } = db;
          const opts = { host, port, user, password, database };
          await t.step(c.name, () =>
            runCase(c, "mysql", {
              open: (o) => openMysqlStore(opts, undefined, o),
              raw: async (sql) => {
                const conn = await mysql.createConnection({
                  ...opts,
                  charset: "UTF8MB4_BIN",
                  multipleStatements: true,
                  dateStrings: true,
                });
                try {
                  const [rows] = await conn.query(sql);
                  return Array.isArray(rows)
                    ? rows as Record<string, unknown>[]
                    : [];
                } finally {
                  await conn.end();
                }
              },
              mariadb: db,
            }));
        }
      } finally {
        await db.stop();
      }
    },
  });
}

/** The cases on SQLite, each on its own file, through `openSqlite`. */
function sqliteContract(
  name: string,
  cases: StoreCase[],
  openSqlite: (path: string, opts?: SqlStoreOptions) => Promise<Store>,
): void {
  Deno.test(name, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "goippy-store-" });
    try {
      let i = 0;
      for (const c of cases) {
        if (c.only && c.only !== "sqlite") continue;
        const path = `${dir}/case${i++}.sqlite3`;
        await t.step(c.name, () =>
          runCase(c, "sqlite", {
            open: (opts) => openSqlite(path, opts),
            raw: (sql) => {
              const db = new DatabaseSync(path);
              try {
                return Promise.resolve(
                  /^\s*select|^\s*pragma/i.test(sql)
                    ? db.prepare(sql).all() as Record<string, unknown>[]
                    : (db.exec(sql), []),
                );
              } finally {
                db.close();
              }
            },
          }));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

interface Backend {
  open(opts?: SqlStoreOptions): Promise<Store>;
  raw(sql: string): Promise<Record<string, unknown>[]>;
  mariadb?: MariaDb;
}

/** A clock that starts at the real time and moves only when told. */
function testClock(): TestClock {
  let t = Date.now();
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

async function runCase(c: StoreCase, dialect: Dialect, b: Backend) {
  if (c.seed) await b.raw(await c.seed(dialect));
  const opened: Store[] = [];
  const clock = testClock();
  const open = async (migrate: boolean, opts?: SqlStoreOptions) => {
    const s = await b.open({ now: clock.now, ...opts });
    opened.push(s);
    if (migrate) await s.migrate();
    return s;
  };
  const ctx: StoreCtx = {
    dialect,
    clock,
    store: await open(!c.fresh),
    async reopen() {
      await ctx.store.close();
      opened.splice(opened.indexOf(ctx.store), 1);
      ctx.store = await open(true);
      return ctx.store;
    },
    second: (opts) => open(true, opts),
    raw: b.raw,
    mariadb: b.mariadb,
  };
  try {
    await c.fn(ctx);
  } finally {
    for (const s of opened) await s.close();
  }
}
