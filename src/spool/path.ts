/**
 * Where the spool file lives when SPOOL_PATH is not set: beside the SQLite
 * database, or (MySQL) in the working directory, which the systemd unit
 * sets to the instance's state directory, so instances sharing one
 * MariaDB keep a spool each.
 *
 * @module
 */

import { dirname, join } from "node:path";
import type { Config } from "../config/types.ts";

/** The spool's file name when SPOOL_PATH is "". */
export const SPOOL_FILE_NAME = "goippy-spool.sqlite3";

/** The spool path in force, or null when the spool is off (SPOOL_MAX_MB 0). */
export function spoolPath(
  c: Pick<Config, "SPOOL_PATH" | "SPOOL_MAX_MB" | "DB_BACKEND" | "SQLITE_PATH">,
): string | null {
  if (c.SPOOL_MAX_MB <= 0) return null;
  if (c.SPOOL_PATH) return c.SPOOL_PATH;
  if (c.DB_BACKEND === "sqlite" && c.SQLITE_PATH !== ":memory:") {
    return join(dirname(c.SQLITE_PATH), SPOOL_FILE_NAME);
  }
  return SPOOL_FILE_NAME;
}
