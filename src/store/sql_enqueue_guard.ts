/**
 * Queueing an SMS under a send-limit check that is part of the same
 * transaction, for {@linkcode SqlStore}. The line's gateway row is locked
 * first (`FOR UPDATE` on MySQL/MariaDB; SQLite's BEGIN IMMEDIATE already runs
 * one transaction at a time), so enqueues to one line take turns: each
 * counts the SMS the one before it queued. No other transaction locks a
 * gateway row after taking outbox locks, so this adds no deadlock.
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import { sendUsage } from "./sql_sends.ts";
import type { EnqueueGuard } from "./types.ts";

/**
 * Inside a transaction: lock the line's gateway row until the commit, so
 * enqueues to one line count their usage one after another.
 */
export async function lockLine(
  c: SqlConn,
  d: SqlDriver,
  goipId: string,
): Promise<void> {
  await c.all(
    `SELECT id FROM goippy_gateways WHERE goip_id = ?${d.forUpdate}`,
    [goipId],
  );
}

/**
 * Inside a transaction: lock the line's gateway row, count its usage and
 * let `guard` refuse (throw) before anything of the item is written.
 */
export async function checkGuard(
  c: SqlConn,
  d: SqlDriver,
  goipId: string,
  guard: EnqueueGuard,
): Promise<void> {
  await lockLine(c, d, goipId);
  guard.admit(await sendUsage(c, goipId, guard.usage));
}
