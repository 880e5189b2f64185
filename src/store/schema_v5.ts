/**
 * Migration step 5: the RECEIVE dedupe keyed on the event's content. A
 * GoIP's counter `n` repeats after a reboot, so `(line, n)` alone takes a new
 * SMS for a retransmission; `(line, n, content_hash)` does not. Rows seen
 * before the step keep their counters with an empty hash: within the window
 * such a counter still marks any event with its `n` as a copy, as before.
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";

const TABLE = "goippy_receive_seen";
/** Where the rows are copied while the key changes (SQLite cannot alter a key). */
const NEXT = "goippy_receive_seen_v5";
const AGE_INDEX = "goippy_receive_seen_age";

/**
 * Re-key `goippy_receive_seen` on `(goip_id, n, content_hash)`, keeping its
 * rows. Idempotent, and safe to run again after an interruption between any
 * two statements (MySQL DDL is not transactional).
 */
export async function receiveContentKey(
  c: SqlConn,
  d: SqlDriver,
): Promise<void> {
  if (!(await d.columns(c, TABLE)).includes("content_hash")) {
    const { key, int, tableOptions } = d.ddl;
    await c.exec(
      `CREATE TABLE IF NOT EXISTS ${NEXT} (
        goip_id ${key(64)},
        n ${int},
        content_hash ${key(32)},
        seen_ms ${int},
        PRIMARY KEY (goip_id, n, content_hash))${tableOptions}`,
    );
    if ((await d.columns(c, TABLE)).length > 0) {
      await c.exec(
        `${d.insertIgnore} INTO ${NEXT} (goip_id, n, content_hash, seen_ms) ` +
          `SELECT goip_id, n, '', seen_ms FROM ${TABLE}`,
      );
      await c.exec(`DROP TABLE ${TABLE}`);
    }
    await c.exec(`ALTER TABLE ${NEXT} RENAME TO ${TABLE}`);
  }
  if (!(await d.hasIndex(c, TABLE, AGE_INDEX))) {
    await c.exec(`CREATE INDEX ${AGE_INDEX} ON ${TABLE} (goip_id, seen_ms)`);
  }
}
