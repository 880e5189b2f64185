/**
 * Leases (`goippy_leases`) for {@linkcode SqlStore}: a named job that exactly
 * one daemon may run at a time (the XMPP component connection,
 * housekeeping). A lease is a row with its holder and an expiry; it is taken
 * with a compare-and-set UPDATE checked by affected rows, so it needs no
 * `LOCK TABLES` or `GET_LOCK` (neither is replicated by Galera). Times are
 * the daemons' own clocks (epoch ms): the boxes keep them in step (NTP), far
 * closer than a lease's length. Portable SQL only.
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";

/** Who holds a lease, and until when. */
export interface Lease {
  name: string;
  /** The holder's instance id. */
  holder: string;
  /** Epoch ms the holder took it (kept while it renews). */
  acquiredMs: number;
  /** Epoch ms after which anyone may take it. */
  expiresMs: number;
}

/** Migration step 7: the table (idempotent). */
export async function createLeasesTable(
  c: SqlConn,
  d: SqlDriver,
): Promise<void> {
  await c.exec(
    "CREATE TABLE IF NOT EXISTS goippy_leases (" +
      "lease_name VARCHAR(64) NOT NULL PRIMARY KEY, " +
      "holder VARCHAR(128) NOT NULL DEFAULT '', " +
      `acquired_ms ${d.ddl.int}, ` +
      `expires_ms ${d.ddl.int})` +
      d.ddl.tableOptions,
  );
}

/** See {@linkcode Store.acquireLease}. */
export async function acquireLease(
  d: SqlDriver,
  name: string,
  holder: string,
  nowMs: number,
  ttlMs: number,
): Promise<boolean> {
  const expires = nowMs + ttlMs;
  // Ours already: renew (acquired_ms stays). Free or expired: take it.
  const renewed = await d.run(
    "UPDATE goippy_leases SET expires_ms = ? " +
      "WHERE lease_name = ? AND holder = ?",
    [expires, name, holder],
  );
  if (renewed.changes > 0) return true;
  const taken = await d.run(
    "UPDATE goippy_leases SET holder = ?, acquired_ms = ?, expires_ms = ? " +
      "WHERE lease_name = ? AND holder <> ? AND expires_ms < ?",
    [holder, nowMs, expires, name, holder, nowMs],
  );
  if (taken.changes > 0) return true;
  const inserted = await d.run(
    `${d.insertIgnore} INTO goippy_leases ` +
      "(lease_name, holder, acquired_ms, expires_ms) VALUES (?, ?, ?, ?)",
    [name, holder, nowMs, expires],
  );
  if (inserted.changes > 0) return true;
  // MySQL reports 0 rows for an UPDATE that wrote the values already there
  // (a renewal within the same millisecond): read who holds it.
  const now = await lease(d, name);
  return now?.holder === holder && now.expiresMs >= expires;
}

/** See {@linkcode Store.releaseLease}. */
export async function releaseLease(
  d: SqlDriver,
  name: string,
  holder: string,
): Promise<void> {
  await d.run(
    "UPDATE goippy_leases SET expires_ms = 0 " +
      "WHERE lease_name = ? AND holder = ?",
    [name, holder],
  );
}

/** See {@linkcode Store.lease}. */
export async function lease(
  d: SqlDriver,
  name: string,
): Promise<Lease | undefined> {
  const rows = await d.all(
    "SELECT lease_name, holder, acquired_ms, expires_ms FROM goippy_leases " +
      "WHERE lease_name = ?",
    [name],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    name: String(r.lease_name),
    holder: String(r.holder),
    acquiredMs: Number(r.acquired_ms),
    expiresMs: Number(r.expires_ms),
  };
}
