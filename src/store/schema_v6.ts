/**
 * Migration step 6: several daemons on one database. Each line records the
 * instance that answered its latest keepalive (`goippy_state.owner_instance`:
 * only that one sends the line's outbox), and queue rows record the instance
 * that claimed them (`goippy_outbox.claimed_by` while `sending`,
 * `goippy_inbox.claimed_by` while being delivered), so a claim is a
 * compare-and-set and a dead instance's claims can be found and released.
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";

const COLUMNS: [string, string][] = [
  ["goippy_state", "owner_instance"],
  ["goippy_outbox", "claimed_by"],
  ["goippy_inbox", "claimed_by"],
];

/** Add the owner and claim columns (idempotent). */
export async function instanceColumns(
  c: SqlConn,
  d: SqlDriver,
): Promise<void> {
  for (const [table, column] of COLUMNS) {
    if ((await d.columns(c, table)).includes(column)) continue;
    await c.exec(`ALTER TABLE ${table} ADD COLUMN ${column} VARCHAR(128) NULL`);
  }
}
