/**
 * Webhook events written in the same transaction as the change they report,
 * for {@linkcode SqlStore} while webhooks are configured: an outbox row
 * reaching `sent`/`delivered`/`failed`/`expired`/`uncertain` (and a USSD
 * answer), an incoming SMS, an incoming call. The event's `data` is built
 * here, so the receiver sees the row as committed.
 *
 * @module
 */

import { toOutbox } from "./rows.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import { updateOutbox } from "./sql_outbox.ts";
import { addWebhookEvent } from "./sql_webhooks.ts";
import type {
  CallRecord,
  OutboxExpect,
  OutboxItem,
  OutboxUpdate,
} from "./types.ts";

/** The event an outbox row in its state reports, or null for none. */
export function outboxEvent(
  item: OutboxItem,
): { event: string; data: Record<string, unknown> } | null {
  if (item.kind === "ussd") {
    if (item.state !== "sent") return null;
    return {
      event: "ussd.received",
      data: {
        id: item.id,
        line: item.ext,
        code: item.body,
        answer: item.result,
      },
    };
  }
  const event = item.state === "sent"
    ? "sms.sent"
    : item.state === "delivered"
    ? "sms.delivered"
    : ["failed", "expired", "uncertain"].includes(item.state)
    ? "sms.failed"
    : null;
  if (!event) return null;
  return {
    event,
    data: {
      id: item.id,
      line: item.ext,
      to: item.number,
      state: item.state,
      sms_no: item.smsNo,
      error: item.error,
      origin: item.origin,
    },
  };
}

/** Write the event `item` now reports, if any, on `c`. */
export async function writeOutboxEvent(
  c: SqlConn,
  item: OutboxItem,
  nowMs: number,
): Promise<void> {
  const e = outboxEvent(item);
  if (e) await addWebhookEvent(c, e.event, JSON.stringify(e.data), nowMs);
}

/** {@linkcode updateOutbox} and the event of the new state, in one transaction. */
export function updateOutboxWithEvent(
  d: SqlDriver,
  id: number,
  change: OutboxUpdate,
  nowMs: number,
  expect?: OutboxExpect,
): Promise<boolean> {
  return d.transaction(async (c) => {
    const applied = await updateOutbox(c, id, change, nowMs, expect);
    if (!applied || change.state === undefined) return applied;
    const rows = await c.all("SELECT * FROM goippy_outbox WHERE id = ?", [id]);
    if (rows.length) await writeOutboxEvent(c, toOutbox(rows[0]), nowMs);
    return true;
  });
}

/** The `sms.received` event of a stored incoming SMS. */
export async function writeReceivedEvent(
  c: SqlConn,
  sms: { ext: string; srcnum: string; body: string },
  messageId: number,
  nowMs: number,
): Promise<void> {
  await addWebhookEvent(
    c,
    "sms.received",
    JSON.stringify({
      message_id: messageId,
      line: sms.ext,
      from: sms.srcnum,
      text: sms.body,
      received: new Date(nowMs).toISOString(),
    }),
    nowMs,
  );
}

/** The `call.incoming` event of a call row just written. */
export async function writeCallEvent(
  c: SqlConn,
  call: Omit<CallRecord, "id" | "endedMs">,
  callId: number,
  nowMs: number,
): Promise<void> {
  if (call.direction !== 1) return;
  await addWebhookEvent(
    c,
    "call.incoming",
    JSON.stringify({ call_id: callId, line: call.ext, from: call.remoteNum }),
    nowMs,
  );
}
