/**
 * `--check` beyond the syntax: try what the daemon will do at start (open
 * the database, bind the UDP port, find the XMPP server) without changing
 * anything, so a config that passes the check also starts.
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Config } from "../config/types.ts";
import { sqlitePathProblem } from "../store/sqlite_path.ts";
import { mysqlProblem } from "./preflight_mysql.ts";
import { instanceId, isAlive } from "../instances/liveness.ts";
import { createLogger } from "../log.ts";
import { openStore } from "../store/open.ts";
import type { Instance, Store } from "../store/types.ts";

/** What `--check` found beyond the syntax. */
export interface Preflight {
  /** What would stop the daemon, one sentence (with its fix) each. */
  problems: string[];
  /** Worth knowing, not stopping it. */
  notes: string[];
}

/** Try what the daemon does at start with this config. */
export async function preflight(config: Config): Promise<Preflight> {
  const [db, udp, xmpp] = await Promise.all([
    databaseProblem(config),
    udpProblem(config.GOIP_UDP_BIND, config.GOIP_UDP_PORT),
    xmppProblem(config),
  ]);
  const notes: string[] = [];
  let port = udp;
  if (udp?.includes("already in use") && db === null) {
    // The daemon this config runs holds its own port: fine for a reload.
    const own = await runningSelf(config);
    if (own) {
      port = null;
      notes.push(
        `GoIP UDP ${config.GOIP_UDP_BIND}:${config.GOIP_UDP_PORT} is held ` +
          `by the running goippy ${own.instanceId} (pid ${own.pid} on ` +
          `${own.host}) of this config`,
      );
    }
  }
  const problems = [db, port, xmpp].filter((p): p is string => p !== null);
  return { problems, notes };
}

/** This config's own daemon when it is alive (per its heartbeat); reads only. */
async function runningSelf(config: Config): Promise<Instance | undefined> {
  if (config.DB_BACKEND === "sqlite") {
    // Opening would create a missing file.
    try {
      await Deno.stat(config.SQLITE_PATH);
    } catch {
      return undefined;
    }
  }
  const quiet = createLogger({
    level: "error",
    journald: false,
    write: () => {},
  });
  let store: Store | undefined;
  try {
    store = await openStore(config, quiet);
    const id = instanceId(config);
    const now = Date.now();
    return (await store.instances()).find((i) =>
      i.instanceId === id && isAlive(i, now, config.INSTANCE_DEAD_AFTER)
    );
  } catch {
    return undefined; // an older schema has no heartbeats: no exception made
  } finally {
    await store?.close().catch(() => {});
  }
}

async function databaseProblem(config: Config): Promise<string | null> {
  if (config.DB_BACKEND === "mysql") return await mysqlProblem(config);
  const why = await sqlitePathProblem(config.SQLITE_PATH);
  return why && `SQLITE_PATH ${config.SQLITE_PATH}: ${why}`;
}

/** Bind the daemon's UDP address and let it go again; a reason when that fails. */
export function udpProblem(
  hostname: string,
  port: number,
): Promise<string | null> {
  const where = `${hostname}:${port}`;
  try {
    const conn = Deno.listenDatagram({ hostname, port, transport: "udp" });
    conn.close();
    return Promise.resolve(null);
  } catch (err) {
    const why = err instanceof Deno.errors.AddrInUse
      ? "is already in use (another goippy?): stop the other program or set GOIP_UDP_PORT"
      : err instanceof Deno.errors.AddrNotAvailable
      ? "is not an address of this machine: set GOIP_UDP_BIND"
      : err instanceof Deno.errors.PermissionDenied
      ? "may not be bound by this user (ports below 1024 need root or " +
        "CAP_NET_BIND_SERVICE): set GOIP_UDP_PORT"
      : `cannot be bound: ${
        (err as Error).message
      }; set GOIP_UDP_BIND/GOIP_UDP_PORT`;
    return Promise.resolve(`GoIP UDP ${where} ${why}`);
  }
}

/** When XMPP is on: XMPP_HOST must resolve (the server itself may be down). */
async function xmppProblem(config: Config): Promise<string | null> {
  const host = config.XMPP_HOST;
  if (!config.XMPP_COMPONENT_JID || isIP(host)) return null;
  try {
    await lookup(host);
    return null;
  } catch (err) {
    const code = (err as { code?: string })?.code ?? (err as Error).message;
    return `XMPP_HOST ${host} does not resolve (${code}): ` +
      `set XMPP_HOST to the XMPP server's name or address`;
  }
}
