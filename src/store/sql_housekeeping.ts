/**
 * Housekeeping for {@linkcode SqlStore}: queue depths and the retention
 * purge.
 *
 * @module
 */

import type { SqlDriver } from "./sql_driver.ts";
import { FINAL_STATES } from "./sql_outbox.ts";
import type { QueueDepths } from "./types.ts";

/** See {@linkcode Store.queueDepths}. */
export async function queueDepths(d: SqlDriver): Promise<QueueDepths> {
  const inbox = await d.all(
    "SELECT COUNT(*) AS n FROM goippy_inbox WHERE done_ms IS NULL",
  );
  const outbox = await d.all(
    "SELECT state, COUNT(*) AS n FROM goippy_outbox " +
      "WHERE state IN ('queued', 'sending') GROUP BY state",
  );
  const count = (s: string) =>
    Number(outbox.find((r) => r.state === s)?.n ?? 0);
  return {
    inboxPending: Number(inbox[0].n),
    outboxQueued: count("queued"),
    outboxSending: count("sending"),
  };
}

/** See {@linkcode Store.purgeOlderThan}. */
export function purgeOlderThan(
  d: SqlDriver,
  beforeMs: number,
): Promise<number> {
  const finals = FINAL_STATES.map((s) => `'${s}'`).join(", ");
  return d.transaction(async (c) => {
    let n = 0;
    for (
      const [sql, p] of [
        ["DELETE FROM goippy_log WHERE created_ms < ?", beforeMs],
        [
          "DELETE FROM goippy_calls WHERE ts < ?",
          Math.floor(beforeMs / 1000),
        ],
        [
          "DELETE FROM goippy_inbox WHERE done_ms IS NOT NULL AND created_ms < ?",
          beforeMs,
        ],
        [
          `DELETE FROM goippy_outbox WHERE state IN (${finals}) AND updated_ms < ?`,
          beforeMs,
        ],
        ["DELETE FROM goippy_receive_seen WHERE seen_ms < ?", beforeMs],
      ] as const
    ) {
      n += (await c.run(sql, [p])).changes;
    }
    return n;
  });
}
