/**
 * MySQL/MariaDB servers and their errors, for {@linkcode MysqlDriver}: the
 * `DB_HOST` list (`host[:port], …`, tried in order) and which failures
 * leave a statement undone, so that running it again (on the same server or
 * the next one) cannot do it twice. Pure.
 *
 * @module
 */

/** One server of the `DB_HOST` list. */
export interface DbHost {
  host: string;
  port: number;
}

/**
 * `DB_HOST` as a list: comma-separated `host[:port]` (IPv6 in brackets,
 * `[::1]:3306`); a host without a port takes `defaultPort`.
 */
export function parseDbHosts(list: string, defaultPort: number): DbHost[] {
  const hosts: DbHost[] = [];
  for (const part of list.split(",")) {
    const item = part.trim();
    if (!item) continue;
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
    if (v6) {
      hosts.push({ host: v6[1], port: v6[2] ? Number(v6[2]) : defaultPort });
      continue;
    }
    const colons = item.split(":").length - 1;
    const m = colons === 1 ? /^(.+):(\d+)$/.exec(item) : null;
    hosts.push(
      m
        ? { host: m[1], port: Number(m[2]) }
        : { host: item, port: defaultPort },
    );
  }
  return hosts;
}

/** How a failed statement or transaction may be run again. */
export type Failure =
  /** Rolled back whole (deadlock victim, Galera certification conflict). */
  | "rolledBack"
  /** Never ran: the server was not reached, or is not part of a synced cluster. */
  | "notRun"
  /** Anything else: the caller decides (it may have been done). */
  | "other";

/** `ER_LOCK_DEADLOCK`: InnoDB's victim or a lost Galera certification. */
const ER_LOCK_DEADLOCK = 1213;
/** `ER_UNKNOWN_COM_ERROR`: "WSREP has not yet prepared node for application use". */
const ER_WSREP_NOT_READY = 1047;
/** Socket errors that, raised while connecting, mean nothing was sent. */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
]);

/** What `err` (from mysql2) means for running the work again. */
export function classify(err: unknown): Failure {
  const e = err as { errno?: number; code?: string; syscall?: string };
  if (e?.errno === ER_LOCK_DEADLOCK || e?.code === "ER_LOCK_DEADLOCK") {
    return "rolledBack";
  }
  if (e?.errno === ER_WSREP_NOT_READY) return "notRun";
  if (e?.code === "ER_CON_COUNT_ERROR") return "notRun";
  const connecting = e?.syscall === "connect" || e?.syscall === "getaddrinfo";
  if (e?.code && CONNECT_CODES.has(e.code) && connecting) return "notRun";
  return "other";
}

/** True when the failure says this server should not be asked next time. */
export function serverAway(err: unknown): boolean {
  const e = err as { errno?: number; code?: string; fatal?: boolean };
  return classify(err) === "notRun" || e?.fatal === true ||
    e?.code === "PROTOCOL_CONNECTION_LOST";
}
