/**
 * Migration step 14: `goippy_outbox.sent_ms`, when the SMS was handed to the
 * GoIP. A DELIVER is matched to sends of the last hour by this time, not by
 * the time the SMS was queued: an SMS that waited for its line longer than
 * that must still get its delivery report.
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";

/** Add `sent_ms` and fill it for rows already handed over (idempotent). */
export async function outboxSentMs(c: SqlConn, d: SqlDriver): Promise<void> {
  if (!(await d.columns(c, "goippy_outbox")).includes("sent_ms")) {
    await c.exec(
      `ALTER TABLE goippy_outbox ADD COLUMN sent_ms ${d.ddl.intNull}`,
    );
  }
  // Rows written before: their last update (the claim, or the OK that made
  // them `sent`) is the nearest known time they went out. Rows never handed
  // over keep NULL.
  await c.exec(
    "UPDATE goippy_outbox SET sent_ms = updated_ms WHERE sent_ms IS NULL " +
      "AND state IN ('sending', 'sent', 'uncertain')",
  );
}
