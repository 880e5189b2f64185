/**
 * `--check`'s MySQL/MariaDB probe: one connection with a short timeout, and
 * the failure told as what it is (host, server, user or database) with its
 * fix.
 *
 * @module
 */

import mysql from "mysql2/promise";
import type { Config } from "../config/types.ts";

/** How long the probe waits for the server. */
const CONNECT_TIMEOUT_MS = 3000;

/** What stops goippy from using the configured MySQL database, or `null`. */
export async function mysqlProblem(config: Config): Promise<string | null> {
  const where = `${config.DB_HOST}:${config.DB_PORT}`;
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({
      host: config.DB_HOST,
      port: config.DB_PORT,
      user: config.DB_USER,
      password: config.DB_PASS,
      database: config.DB_NAME,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    await conn.query("SELECT 1");
    return null;
  } catch (err) {
    return `MySQL at ${where}: ${explainMysqlError(err, config)}`;
  } finally {
    await conn?.end().catch(() => {});
  }
}

/** The cause of a failed MySQL connection and its fix, in words. */
export function explainMysqlError(err: unknown, config: Config): string {
  const code = (err as { code?: string })?.code ?? "";
  const user = config.DB_USER;
  const db = config.DB_NAME;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused: is the server running and listening " +
        "there? start it, or set DB_HOST/DB_PORT";
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `host unreachable (no answer within ${
        CONNECT_TIMEOUT_MS / 1000
      } s): check DB_HOST/DB_PORT and the firewall`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host name ${config.DB_HOST} does not resolve: set DB_HOST`;
    case "ER_ACCESS_DENIED_ERROR":
    case "ER_ACCESS_DENIED_NO_PASSWORD_ERROR":
      return `access denied for user ${user} (wrong DB_USER or DB_PASS, ` +
        `or the user may not connect from this host): fix DB_USER/DB_PASS ` +
        `or the server's GRANT`;
    case "ER_BAD_DB_ERROR":
      return `unknown database ${db}: create it (CREATE DATABASE ${db} ` +
        `CHARACTER SET utf8mb4) or set DB_NAME`;
    case "ER_DBACCESS_DENIED_ERROR":
      return `user ${user} may not use database ${db}: ` +
        `GRANT ALL ON ${db}.* TO ${user}, or set DB_NAME`;
    default:
      return `${(err as Error)?.message ?? err}`;
  }
}
