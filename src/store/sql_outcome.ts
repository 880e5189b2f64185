/**
 * An outbox row's outcome and the message that tells its user, in one
 * transaction, for {@linkcode SqlStore}: a store lost between two separate
 * writes would leave the row finished and the user never told (a replay of
 * the outcome, a compare-and-set on the row's earlier state, then finds
 * nothing to do).
 *
 * @module
 */

import { toOutbox } from "./rows.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import { INBOX_INSERT, inboxParams } from "./sql_inbox.ts";
import { updateOutbox } from "./sql_outbox.ts";
import { writeOutboxEvent } from "./sql_webhook_events.ts";
import type { NewInboxItem, OutboxExpect, OutboxUpdate } from "./types.ts";

/** See {@linkcode Store.finishOutbox}; `webhookEvents`: write the row's event too. */
export function finishOutbox(
  d: SqlDriver,
  id: number,
  change: OutboxUpdate,
  nowMs: number,
  expect: OutboxExpect | undefined,
  notice: NewInboxItem | undefined,
  webhookEvents: boolean,
): Promise<boolean> {
  return d.transaction(async (c) => {
    const applied = await updateOutbox(c, id, change, nowMs, expect);
    if (!applied) return false;
    if (webhookEvents && change.state !== undefined) {
      const rows = await c.all("SELECT * FROM goippy_outbox WHERE id = ?", [
        id,
      ]);
      if (rows.length) await writeOutboxEvent(c, toOutbox(rows[0]), nowMs);
    }
    if (notice) await queueNotice(c, notice, nowMs);
    return true;
  });
}

/** Queue `notice` for its user on `c` (inside the outcome's transaction). */
export async function queueNotice(
  c: SqlConn,
  notice: NewInboxItem,
  nowMs: number,
): Promise<void> {
  await c.run(INBOX_INSERT, inboxParams(notice, nowMs));
}
