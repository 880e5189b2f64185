/**
 * Running daemons (`goippy_instances`) for {@linkcode SqlStore}: each daemon
 * keeps one row, written at start and every few seconds (its heartbeat) and
 * marked stopped on a clean shutdown, so the CLI can tell whether any daemon
 * serves this database. Times are epoch milliseconds. Portable SQL only.
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";

/** One daemon's row. */
export interface Instance {
  /** `INSTANCE_ID` (default `<hostname>:<GOIP_UDP_PORT>`). */
  instanceId: string;
  host: string;
  pid: number;
  /** goippy version. */
  version: string;
  /** Epoch ms the daemon started. */
  startedMs: number;
  /** Epoch ms of its last heartbeat. */
  heartbeatMs: number;
  /** Epoch ms of its clean shutdown; null while it runs (or after a crash). */
  stoppedMs: number | null;
}

/** Migration step 4: the table (idempotent). */
export async function createInstancesTable(
  c: SqlConn,
  d: SqlDriver,
): Promise<void> {
  await c.exec(
    "CREATE TABLE IF NOT EXISTS goippy_instances (" +
      "instance_id VARCHAR(128) NOT NULL PRIMARY KEY, " +
      "host VARCHAR(255) NOT NULL DEFAULT '', " +
      "pid INTEGER NOT NULL DEFAULT 0, " +
      "version VARCHAR(64) NOT NULL DEFAULT '', " +
      `started_ms ${d.ddl.int}, ` +
      `heartbeat_ms ${d.ddl.int}, ` +
      `stopped_ms ${d.ddl.intNull})` +
      d.ddl.tableOptions,
  );
}

/** See {@linkcode Store.heartbeat}. */
export async function heartbeat(
  d: SqlDriver,
  i: Omit<Instance, "stoppedMs">,
): Promise<void> {
  const values = [i.host, i.pid, i.version, i.startedMs, i.heartbeatMs];
  const upd = await d.run(
    "UPDATE goippy_instances SET host = ?, pid = ?, version = ?, " +
      "started_ms = ?, heartbeat_ms = ?, stopped_ms = NULL " +
      "WHERE instance_id = ?",
    [...values, i.instanceId],
  );
  if (upd.changes > 0) return;
  try {
    await d.run(
      "INSERT INTO goippy_instances (host, pid, version, started_ms, " +
        "heartbeat_ms, instance_id) VALUES (?, ?, ?, ?, ?, ?)",
      [...values, i.instanceId],
    );
  } catch (err) {
    // MySQL counts an UPDATE that changes nothing as 0 rows: the row is
    // there and already says this.
    if (!d.isUniqueViolation(err)) throw err;
  }
}

/** See {@linkcode Store.instanceStopped}. */
export async function instanceStopped(
  d: SqlDriver,
  instanceId: string,
  atMs: number,
): Promise<void> {
  await d.run(
    "UPDATE goippy_instances SET stopped_ms = ? WHERE instance_id = ?",
    [atMs, instanceId],
  );
}

/** See {@linkcode Store.instances}. */
export async function instances(d: SqlDriver): Promise<Instance[]> {
  const rows = await d.all(
    "SELECT instance_id, host, pid, version, started_ms, heartbeat_ms, " +
      "stopped_ms FROM goippy_instances ORDER BY heartbeat_ms DESC",
  );
  return rows.map((r) => ({
    instanceId: String(r.instance_id),
    host: String(r.host),
    pid: Number(r.pid),
    version: String(r.version),
    startedMs: Number(r.started_ms),
    heartbeatMs: Number(r.heartbeat_ms),
    stoppedMs: r.stopped_ms === null ? null : Number(r.stopped_ms),
  }));
}
