/**
 * Webhook events (`goippy_webhook_events`) and each receiver's cursor
 * (`goippy_webhook_cursors`) for {@linkcode SqlStore}. An event is delivered
 * to a receiver when its id is above that receiver's cursor; the cursor
 * moves only after the receiver answered 2xx (at-least-once, in order).
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import type { WebhookEvent } from "./types.ts";

/** Insert an event (on `c`: inside the caller's transaction when given). */
export async function addWebhookEvent(
  c: SqlConn,
  event: string,
  payload: string,
  nowMs: number,
): Promise<number> {
  const r = await c.run(
    "INSERT INTO goippy_webhook_events (created_ms, event, payload) " +
      "VALUES (?, ?, ?)",
    [nowMs, event, payload],
  );
  return r.lastId;
}

/** See {@linkcode Store.webhookEventsAfter}. */
export async function webhookEventsAfter(
  d: SqlDriver,
  afterId: number,
  limit: number,
): Promise<WebhookEvent[]> {
  const rows = await d.all(
    "SELECT id, created_ms, event, payload FROM goippy_webhook_events " +
      "WHERE id > ? ORDER BY id LIMIT ?",
    [afterId, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    createdMs: Number(r.created_ms),
    event: String(r.event),
    payload: String(r.payload),
  }));
}

/** See {@linkcode Store.webhookCursor}. */
export async function webhookCursor(
  d: SqlDriver,
  urlKey: string,
): Promise<number> {
  const rows = await d.all(
    "SELECT last_id FROM goippy_webhook_cursors WHERE url_key = ?",
    [urlKey],
  );
  return rows.length ? Number(rows[0].last_id) : 0;
}

/** See {@linkcode Store.setWebhookCursor}. */
export async function setWebhookCursor(
  d: SqlDriver,
  urlKey: string,
  lastId: number,
): Promise<void> {
  await d.run(
    d.upsert(
      "INSERT INTO goippy_webhook_cursors (url_key, last_id) VALUES (?, ?)",
      "url_key",
      "last_id = ?",
    ),
    [urlKey, lastId, lastId],
  );
}

/** See {@linkcode Store.purgeWebhookEvents}. */
export async function purgeWebhookEvents(
  d: SqlDriver,
  maxId: number,
  beforeMs: number,
): Promise<number> {
  const r = await d.run(
    "DELETE FROM goippy_webhook_events WHERE id <= ? AND created_ms < ?",
    [maxId, beforeMs],
  );
  return r.changes;
}
