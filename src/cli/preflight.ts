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
import { spoolPath } from "../spool/path.ts";
import { mysqlProblem } from "./preflight_mysql.ts";
import { udpBindProblem } from "../udp_bind.ts";
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
  const [db, spool, udp, xmpp] = await Promise.all([
    databaseProblem(config),
    spoolProblem(config),
    udpBindProblem(config.GOIP_UDP_BIND, config.GOIP_UDP_PORT),
    xmppProblem(config),
  ]);
  const metrics = metricsProblem(config.METRICS_BIND);
  const notes: string[] = [];
  let ports = [udp, metrics];
  const inUse = ports.filter((p) => p?.includes("already in use"));
  if (inUse.length && db === null) {
    // The daemon this config runs holds its own ports: fine for a reload.
    const own = await runningSelf(config);
    if (own) {
      ports = ports.filter((p) => !inUse.includes(p));
      notes.push(
        `${
          inUse.map((p) => p!.replace(/ is already in use.*/, "")).join(" and ")
        } held by the running goippy ${own.instanceId} (pid ${own.pid} on ` +
          `${own.host}) of this config`,
      );
    }
  }
  const problems = [db, spool, ...ports, xmpp].filter((p): p is string =>
    p !== null
  );
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

/** The spool file must be creatable (beside SQLITE_PATH: checked with it). */
async function spoolProblem(config: Config): Promise<string | null> {
  const path = spoolPath(config);
  if (path === null) return null;
  if (!config.SPOOL_PATH && config.DB_BACKEND === "sqlite") return null;
  const why = await sqlitePathProblem(path);
  return why &&
    `SPOOL_PATH ${path}: ${why.replaceAll("SQLITE_PATH", "SPOOL_PATH")}`;
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

/** METRICS_BIND's TCP address must be free (the daemon refuses to start otherwise). */
function metricsProblem(bind: string): string | null {
  const m = /^(.+):(\d+)$/.exec(bind);
  if (!m) return null;
  const hostname = m[1].replace(/^\[(.*)\]$/, "$1");
  try {
    Deno.listen({ hostname, port: Number(m[2]), transport: "tcp" }).close();
    return null;
  } catch (err) {
    const why = err instanceof Deno.errors.AddrInUse
      ? "is already in use: stop the other program or set METRICS_BIND"
      : `cannot be bound: ${(err as Error).message}; set METRICS_BIND`;
    return `METRICS_BIND ${bind} ${why}`;
  }
}
