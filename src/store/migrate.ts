/**
 * Numbered schema migrations, shared by both dialects. Every step is
 * idempotent on its own (tables `IF NOT EXISTS`, columns only when missing),
 * so a step interrupted half-way (MySQL DDL is not transactional) is simply
 * run again. The version lives in `goippy_meta` (`schema_version`).
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import type { Dialect } from "./types.ts";
import { legacyTables } from "./schema_legacy.ts";
import { ADDED_COLUMNS, ADDED_INDEXES, newTables } from "./schema_v2.ts";
import { createInstancesTable } from "./sql_instances.ts";

/** The schema version this goippy writes. */
export const SCHEMA_VERSION = 4;

/** One numbered migration step. */
interface Step {
  version: number;
  what: string;
  run(c: SqlConn, dialect: Dialect): Promise<void>;
}

const STEPS: Step[] = [
  {
    version: 1,
    what: "tables of the original goippy",
    async run(c, dialect) {
      for (const sql of legacyTables(dialect)) await c.exec(sql);
    },
  },
  {
    version: 2,
    what: "line state, traffic kinds, call ends, queues, dedupe, sendids",
    async run(c, dialect) {
      for (const sql of newTables(dialect)) await c.exec(sql);
      if (dialect === "mysql") await mysqlUtf8mb4(c);
      for (const a of ADDED_COLUMNS) {
        if ((await columns(c, dialect, a.table)).includes(a.column)) continue;
        await c.exec(
          `ALTER TABLE ${a.table} ADD COLUMN ${a.column} ${a[dialect]}`,
        );
        if (a.backfill) await c.exec(a.backfill[dialect]);
      }
      for (const [table, name, cols] of ADDED_INDEXES) {
        if (await hasIndex(c, dialect, table, name)) continue;
        await c.exec(`CREATE INDEX ${name} ON ${table} (${cols})`);
      }
    },
  },
  {
    version: 3,
    what: "index for forgetting old RECEIVE counters",
    async run(c, dialect) {
      // Without it each RECEIVE's clean-up scans every counter of its line
      // in the window: cost grew with traffic (2 ms per SMS at 20k rows).
      const [table, name] = ["goippy_receive_seen", "goippy_receive_seen_age"];
      if (await hasIndex(c, dialect, table, name)) return;
      await c.exec(`CREATE INDEX ${name} ON ${table} (goip_id, seen_ms)`);
    },
  },
  {
    version: 4,
    what: "running daemons and their heartbeats",
    run: createInstancesTable,
  },
];

/** Columns of `table` (empty when it does not exist). */
export async function columns(
  c: SqlConn,
  dialect: Dialect,
  table: string,
): Promise<string[]> {
  const rows = dialect === "sqlite"
    ? await c.all("SELECT name AS c FROM pragma_table_info(?)", [table])
    : await c.all(
      "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS " +
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
      [table],
    );
  return rows.map((r) => String(r.c));
}

async function hasIndex(
  c: SqlConn,
  dialect: Dialect,
  table: string,
  name: string,
): Promise<boolean> {
  const rows = dialect === "sqlite"
    ? await c.all(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?",
      [name],
    )
    : await c.all(
      "SELECT INDEX_NAME FROM information_schema.STATISTICS " +
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?",
      [table, name],
    );
  return rows.length > 0;
}

/** Tables of the original program may be latin1/utf8mb3: make them utf8mb4. */
async function mysqlUtf8mb4(c: SqlConn): Promise<void> {
  const rows = await c.all(
    "SELECT TABLE_NAME AS t, TABLE_COLLATION AS k FROM information_schema.TABLES " +
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'goippy\\_%'",
  );
  for (const r of rows) {
    if (r.k === "utf8mb4_bin") continue;
    await c.exec(
      `ALTER TABLE ${r.t} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  }
  // An SMS body can exceed TEXT's 64 KiB in utf8mb4 bytes.
  const body = await c.all(
    "SELECT DATA_TYPE AS d FROM information_schema.COLUMNS WHERE " +
      "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'goippy_log' AND COLUMN_NAME = 'body'",
  );
  if (body[0]?.d === "text") {
    await c.exec("ALTER TABLE goippy_log MODIFY body MEDIUMTEXT");
  }
}

/** The stored schema version; 0 for an empty or original-goippy database. */
export async function readVersion(
  c: SqlConn,
  dialect: Dialect,
): Promise<number> {
  if ((await columns(c, dialect, "goippy_meta")).length === 0) return 0;
  const rows = await c.all(
    "SELECT meta_value FROM goippy_meta WHERE meta_key = 'schema_version'",
  );
  return rows.length ? Number(rows[0].meta_value) : 0;
}

/**
 * Bring the schema to {@linkcode SCHEMA_VERSION}; returns the version.
 * Throws when the database was made by a newer goippy.
 */
export function migrate(driver: SqlDriver, log?: Logger): Promise<number> {
  const dialect = driver.dialect;
  return driver.transaction(async (c) => {
    // MySQL: DDL commits implicitly, so a named lock keeps a second process
    // (the CLI next to the daemon) from migrating at the same time.
    if (dialect === "mysql") {
      const got = await c.all("SELECT GET_LOCK('goippy_migrate', 60) AS ok");
      if (Number(got[0]?.ok) !== 1) {
        throw new Error("could not get the migration lock in 60 s");
      }
    }
    try {
      let version = await readVersion(c, dialect);
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `database schema version ${version} is newer than this goippy ` +
            `understands (${SCHEMA_VERSION}); upgrade goippy`,
        );
      }
      for (const step of STEPS) {
        if (step.version <= version) continue;
        log?.info(`store: migrating to schema ${step.version}: ${step.what}`);
        await step.run(c, dialect);
        await setVersion(c, dialect, step.version);
        version = step.version;
      }
      return version;
    } finally {
      if (dialect === "mysql") {
        await c.all("SELECT RELEASE_LOCK('goippy_migrate') AS ok");
      }
    }
  });
}

async function setVersion(c: SqlConn, dialect: Dialect, v: number) {
  if ((await columns(c, dialect, "goippy_meta")).length === 0) {
    for (const sql of newTables(dialect).slice(0, 1)) await c.exec(sql);
  }
  const upd = await c.run(
    "UPDATE goippy_meta SET meta_value = ? WHERE meta_key = 'schema_version'",
    [String(v)],
  );
  if (upd.changes === 0) {
    await c.run(
      "INSERT INTO goippy_meta (meta_key, meta_value) VALUES ('schema_version', ?)",
      [String(v)],
    );
  }
}
