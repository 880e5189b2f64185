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
import { legacyTables } from "./schema_legacy.ts";
import { ADDED_COLUMNS, ADDED_INDEXES, newTables } from "./schema_v2.ts";
import { receiveContentKey } from "./schema_v5.ts";
import { instanceColumns } from "./schema_v6.ts";
import { createInstancesTable } from "./sql_instances.ts";
import { sendLimits } from "./schema_v8.ts";
import { apiTables } from "./schema_v10.ts";
import { createLeasesTable } from "./sql_leases.ts";
import { createEventSeenTable } from "./sql_event_seen.ts";
import { createContactsTable } from "./sql_contacts.ts";
import { gatewayJid } from "./schema_v12.ts";
import { outboxSentMs } from "./schema_v14.ts";

/** One numbered migration step. */
interface Step {
  version: number;
  what: string;
  run(c: SqlConn, d: SqlDriver): Promise<void>;
}

const STEPS: Step[] = [
  {
    version: 1,
    what: "tables of the original goippy",
    async run(c, d) {
      for (const sql of legacyTables(d.dialect)) await c.exec(sql);
    },
  },
  {
    version: 2,
    what: "line state, traffic kinds, call ends, queues, dedupe, sendids",
    async run(c, d) {
      for (const sql of newTables(d.ddl)) await c.exec(sql);
      await d.upgradeCharset(c);
      for (const a of ADDED_COLUMNS) {
        if ((await d.columns(c, a.table)).includes(a.column)) continue;
        await c.exec(
          `ALTER TABLE ${a.table} ADD COLUMN ${a.column} ${a[d.dialect]}`,
        );
        if (a.backfill) await c.exec(a.backfill[d.dialect]);
      }
      for (const [table, name, cols] of ADDED_INDEXES) {
        if (await d.hasIndex(c, table, name)) continue;
        await c.exec(`CREATE INDEX ${name} ON ${table} (${cols})`);
      }
    },
  },
  {
    version: 3,
    what: "index for forgetting old RECEIVE counters",
    async run(c, d) {
      // Without it each RECEIVE's clean-up scans every counter of its line
      // in the window: cost grew with traffic (2 ms per SMS at 20k rows).
      const [table, name] = ["goippy_receive_seen", "goippy_receive_seen_age"];
      if (await d.hasIndex(c, table, name)) return;
      await c.exec(`CREATE INDEX ${name} ON ${table} (goip_id, seen_ms)`);
    },
  },
  {
    version: 4,
    what: "running daemons and their heartbeats",
    run: createInstancesTable,
  },
  {
    version: 5,
    what: "RECEIVE dedupe keyed on the event's content",
    run: receiveContentKey,
  },
  {
    version: 6,
    what: "line owners and queue claims of several instances",
    run: instanceColumns,
  },
  {
    version: 7,
    what: "leases: jobs exactly one daemon runs",
    run: createLeasesTable,
  },
  {
    version: 8,
    what: "per-line send limits: SMS handed over, gateway overrides",
    run: sendLimits,
  },
  {
    version: 9,
    what: "users' names for numbers and blocked numbers",
    run: createContactsTable,
  },
  {
    version: 10,
    what: "HTTP API tokens, idempotency keys, webhook events",
    run: apiTables,
  },
  {
    version: 11,
    what: "dedupe of DELIVER, RECORD, HANGUP and USSN keyed on their content",
    run: createEventSeenTable,
  },
  {
    version: 12,
    what: "lines bound to a JID by registration (XEP-0077)",
    run: gatewayJid,
  },
  {
    version: 14,
    what: "outbox: when each SMS was handed to the GoIP",
    run: outboxSentMs,
  },
];

/** The schema version this goippy writes: that of its last step. */
export const SCHEMA_VERSION: number = STEPS[STEPS.length - 1].version;

/** The stored schema version; 0 for an empty or original-goippy database. */
export async function readVersion(
  d: SqlDriver,
  c: SqlConn = d,
): Promise<number> {
  if ((await d.columns(c, "goippy_meta")).length === 0) return 0;
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
  return driver.transaction((c) =>
    driver.migrationLock(c, async () => {
      let version = await readVersion(driver, c);
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `database schema version ${version} is newer than this goippy ` +
            `understands (${SCHEMA_VERSION}); upgrade goippy`,
        );
      }
      for (const step of STEPS) {
        if (step.version <= version) continue;
        log?.info(`store: migrating to schema ${step.version}: ${step.what}`);
        await step.run(c, driver);
        await setVersion(c, driver, step.version);
        version = step.version;
      }
      return version;
    })
  );
}

async function setVersion(c: SqlConn, d: SqlDriver, v: number) {
  if ((await d.columns(c, "goippy_meta")).length === 0) {
    for (const sql of newTables(d.ddl).slice(0, 1)) await c.exec(sql);
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
