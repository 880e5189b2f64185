/**
 * What MySQL/MariaDB says differently about schemas for
 * {@linkcode MysqlDriver}: column types of new tables, catalog queries, the
 * migration lock, the utf8mb4 upgrade, and `JSON_TABLE`.
 *
 * @module
 */

import { newTables } from "./schema_v2.ts";
import type { Ddl, SqlConn } from "./sql_driver.ts";

const TABLE_OPTIONS =
  "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/** Column types and table options of new tables. */
export const DDL: Ddl = {
  id: "id BIGINT AUTO_INCREMENT PRIMARY KEY",
  key: (chars) => `VARCHAR(${chars}) NOT NULL`,
  int: "BIGINT NOT NULL",
  intNull: "BIGINT NULL",
  text: "MEDIUMTEXT NOT NULL",
  tableOptions: ` ${TABLE_OPTIONS}`,
  indexes: (_table, list) => ({
    inline: list.map(([name, cols]) => `, KEY ${name} (${cols})`).join(""),
    after: [],
  }),
};

/** Columns of `table` (empty when it does not exist). */
export async function columns(c: SqlConn, table: string): Promise<string[]> {
  const rows = await c.all(
    "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS " +
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
    [table],
  );
  return rows.map((r) => String(r.c));
}

/** Whether `table` has an index called `name`. */
export async function hasIndex(
  c: SqlConn,
  table: string,
  name: string,
): Promise<boolean> {
  const rows = await c.all(
    "SELECT INDEX_NAME FROM information_schema.STATISTICS " +
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?",
    [table, name],
  );
  return rows.length > 0;
}

/** How long a migration lock is good for unless renewed. */
const MIGRATION_LOCK_MS = 60_000;
/** How long a process waits for another's migration. */
const MIGRATION_WAIT_MS = 120_000;

/**
 * DDL commits implicitly, so the transaction alone does not keep a second
 * process (the CLI next to the daemon, another daemon) from migrating at the
 * same time: a lock row in `goippy_meta` does, taken by compare-and-set with
 * autocommit statements on `auto` (outside the migration's transaction) and
 * renewed while the migration runs. `GET_LOCK` would not do: Galera does
 * not replicate it, so two nodes would both grant it. A crashed migrator's
 * lock expires after {@linkcode MIGRATION_LOCK_MS}.
 */
export async function migrationLock<T>(
  auto: SqlConn,
  fn: () => Promise<T>,
  now: () => number = Date.now,
): Promise<T> {
  await auto.exec(newTables(DDL)[0]);
  await auto.run(
    "INSERT IGNORE INTO goippy_meta (meta_key, meta_value) " +
      "VALUES ('migration_lock', '0')",
  );
  const token = crypto.randomUUID();
  let mine = "";
  const take = async (expect: string) => {
    const next = `${now() + MIGRATION_LOCK_MS} ${token}`;
    const upd = await auto.run(
      "UPDATE goippy_meta SET meta_value = ? " +
        "WHERE meta_key = 'migration_lock' AND meta_value = ?",
      [next, expect],
    );
    if (upd.changes > 0) mine = next;
    return upd.changes > 0;
  };
  const giveUp = now() + MIGRATION_WAIT_MS;
  for (;;) {
    const rows = await auto.all(
      "SELECT meta_value FROM goippy_meta WHERE meta_key = 'migration_lock'",
    );
    const current = String(rows[0]?.meta_value ?? "0");
    const expires = Number(current.split(" ")[0]) || 0;
    if (expires < now() && await take(current)) break;
    if (now() > giveUp) {
      throw new Error(
        `could not get the migration lock in ${MIGRATION_WAIT_MS / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 200));
  }
  const renew = setInterval(() => {
    take(mine).catch(() => {});
  }, MIGRATION_LOCK_MS / 3);
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await auto.run(
      "UPDATE goippy_meta SET meta_value = '0' " +
        "WHERE meta_key = 'migration_lock' AND meta_value = ?",
      [mine],
    ).catch(() => {});
  }
}

/** Tables of the original program may be latin1/utf8mb3: make them utf8mb4. */
export async function upgradeCharset(c: SqlConn): Promise<void> {
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

/** `JSON_TABLE` over the JSON array parameter, aliased `j`. */
export function jsonTable(columns: [string, string][]): string {
  const list = columns.map(([k, type]) => `${k} ${type} PATH '$.${k}'`);
  return `JSON_TABLE(?, '$[*]' COLUMNS (${list.join(", ")})) AS j`;
}

/**
 * Whether a MySQL/MariaDB server has `JSON_TABLE` (MySQL 8.0.4+, MariaDB
 * 10.6+), from what `VERSION()` says. Pure.
 */
export function jsonTableSupported(version: string): boolean {
  const at = (re: RegExp) => {
    const m = re.exec(version);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  };
  const atLeast = (v: number[] | null, min: number[]) => {
    if (!v) return false;
    for (let i = 0; i < 3; i++) {
      if (v[i] !== min[i]) return v[i] > min[i];
    }
    return true;
  };
  // MariaDB may prefix "5.5.5-" for old clients: the real version is before
  // "-MariaDB".
  const maria = at(/(\d+)\.(\d+)\.(\d+)-MariaDB/i);
  if (maria) return atLeast(maria, [10, 6, 0]);
  if (/mariadb/i.test(version)) return false;
  return atLeast(at(/^(\d+)\.(\d+)\.(\d+)/), [8, 0, 4]);
}
