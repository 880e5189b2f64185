/**
 * A real 3-node Galera cluster on loopback for the tests, from Debian's
 * `mariadb-server` and `galera-4`: each node its own datadir (made by
 * `mariadb-install-db`), its own ports (SQL, group communication, IST, SST),
 * rsync state transfer. As root the nodes run as user `mysql` (rsync SST
 * fails when mariadbd runs as root), so the temp dir is chowned to it. The
 * first node bootstraps the cluster; the others join one after the other.
 *
 * @module
 */

import mysql from "mysql2/promise";
import { haveMariaDb, MARIADBD } from "./mariadb.ts";
import { freeTcpPort } from "./ports.ts";

/** The Galera library the nodes load. */
export const GALERA_LIB = "/usr/lib/galera/libgalera_smm.so";

/** True when this machine can run the Galera tests. */
export function haveGalera(): boolean {
  try {
    return haveMariaDb() && Deno.statSync(GALERA_LIB).isFile &&
      Deno.statSync("/usr/bin/rsync").isFile;
  } catch {
    return false;
  }
}

/** Message for tests that skip because Galera is missing. */
export const GALERA_MISSING =
  `${GALERA_LIB} or rsync not found: Galera tests ignored (install galera-4 and rsync)`;

/** One node of the cluster. */
export interface GaleraNode {
  /** SQL port on 127.0.0.1. */
  port: number;
  /** SIGKILL the node (its data stays for `start`). */
  kill(): Promise<void>;
  /** Start the node again; it rejoins the cluster (waits until synced). */
  start(): Promise<void>;
  /** The node's error log. */
  logs(): Promise<string>;
}

/** A running cluster. */
export interface Galera {
  host: "127.0.0.1";
  nodes: GaleraNode[];
  user: string;
  password: string;
  database: string;
  /** `DB_HOST` naming every node, the first first. */
  hostList(): string;
  /** Stop every node and remove every file. */
  stop(): Promise<void>;
}

const USER = "goippy";
const PASSWORD = "goippy-test-pw";
const DATABASE = "goippy_test";

/** Start the cluster (about 20 s); throws with the failing node's log. */
export async function startGalera(size = 3): Promise<Galera> {
  const root = Deno.uid() === 0;
  const dir = await Deno.makeTempDir({ prefix: "goippy-galera-" });
  await Deno.chmod(dir, 0o755);
  const ports = Array.from({ length: size }, () => ({
    sql: freeTcpPort(),
    gcomm: freeTcpPort(),
    ist: freeTcpPort(),
    sst: freeTcpPort(),
  }));
  const cluster = ports.map((p) => `127.0.0.1:${p.gcomm}`).join(",");
  const nodes: (Omit<GaleraNode, "start"> & {
    start(bootstrap?: boolean): Promise<void>;
    halt(): Promise<void>;
  })[] = [];

  const makeNode = async (i: number) => {
    const p = ports[i];
    const home = `${dir}/n${i}`;
    await Deno.mkdir(`${home}/tmp`, { recursive: true });
    const cnf = `${home}/my.cnf`;
    await Deno.writeTextFile(
      cnf,
      [
        "[mysqld]",
        `datadir=${home}/data`,
        `socket=${home}/mysqld.sock`,
        `pid-file=${home}/mysqld.pid`,
        `log-error=${home}/error.log`,
        `tmpdir=${home}/tmp`,
        `port=${p.sql}`,
        "bind-address=127.0.0.1",
        "skip-name-resolve",
        ...(root ? ["user=mysql"] : []),
        "innodb-log-file-size=8M",
        "innodb-buffer-pool-size=32M",
        "performance-schema=OFF",
        "character-set-server=utf8mb4",
        "collation-server=utf8mb4_bin",
        "binlog_format=ROW",
        "default_storage_engine=InnoDB",
        "innodb_autoinc_lock_mode=2",
        "wsrep_on=ON",
        `wsrep_provider=${GALERA_LIB}`,
        "wsrep_cluster_name=goippy_test",
        `wsrep_cluster_address=gcomm://${cluster}`,
        `wsrep_node_name=n${i}`,
        "wsrep_node_address=127.0.0.1",
        `wsrep_provider_options="base_port=${p.gcomm};` +
        `ist.recv_addr=127.0.0.1:${p.ist};gcache.size=32M"`,
        "wsrep_sst_method=rsync",
        `wsrep_sst_receive_address=127.0.0.1:${p.sst}`,
        "",
      ].join("\n"),
    );
    if (root) await chownR(dir);
    const install = await new Deno.Command("mariadb-install-db", {
      args: [
        `--defaults-file=${cnf}`,
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--wsrep-on=OFF",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!install.success) {
      throw new Error(
        `mariadb-install-db (node ${i}) failed:\n` +
          new TextDecoder().decode(install.stderr),
      );
    }
    let child: Deno.ChildProcess | null = null;
    const halt = async (sig: Deno.Signal) => {
      const c = child;
      child = null;
      if (!c) return;
      try {
        c.kill(sig);
      } catch {
        // already gone
      }
      const t = setTimeout(() => {
        try {
          c.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, 20_000);
      await c.status;
      clearTimeout(t);
    };
    const log = () => Deno.readTextFile(`${home}/error.log`).catch(() => "");
    const node = {
      port: p.sql,
      async start(bootstrap = false) {
        child = new Deno.Command(MARIADBD, {
          args: [
            `--defaults-file=${cnf}`,
            ...(bootstrap ? ["--wsrep-new-cluster"] : []),
          ],
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn();
        await waitSynced(p.sql, child, log);
      },
      kill: () => halt("SIGKILL"),
      halt: () => halt("SIGTERM"),
      logs: log,
    };
    return node;
  };

  const stop = async () => {
    for (const n of [...nodes].reverse()) await n.halt();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    for (let i = 0; i < size; i++) {
      const n = await makeNode(i);
      nodes.push(n);
      await n.start(i === 0);
      if (i === 0) {
        await rootQuery(ports[0].sql, [
          `CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`,
          `GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'%'`,
          `CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
        ]);
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host: "127.0.0.1",
    nodes: nodes.map((n) => ({
      port: n.port,
      kill: n.kill,
      start: () => n.start(false),
      logs: n.logs,
    })),
    user: USER,
    password: PASSWORD,
    database: DATABASE,
    hostList: () => nodes.map((n) => `127.0.0.1:${n.port}`).join(","),
    stop,
  };
}

async function chownR(path: string): Promise<void> {
  const r = await new Deno.Command("chown", {
    args: ["-R", "mysql:mysql", path],
  }).output();
  if (!r.success) throw new Error(`chown ${path} failed`);
}

async function rootQuery(port: number, sqls: string[]): Promise<void> {
  const c = await mysql.createConnection({
    host: "127.0.0.1",
    port,
    user: "root",
    password: "",
  });
  try {
    for (const sql of sqls) await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Wait (60 s) until the node answers and says it is synced with the cluster. */
async function waitSynced(
  port: number,
  child: Deno.ChildProcess,
  log: () => Promise<string>,
): Promise<void> {
  let exited = false;
  child.status.then(() => exited = true);
  const end = Date.now() + 60_000;
  while (!exited && Date.now() < end) {
    try {
      const c = await mysql.createConnection({
        host: "127.0.0.1",
        port,
        user: "root",
        password: "",
        connectTimeout: 2000,
      });
      try {
        const [rows] = await c.query(
          "SHOW GLOBAL STATUS WHERE Variable_name IN " +
            "('wsrep_ready', 'wsrep_local_state_comment')",
        );
        const v = new Map(
          (rows as { Variable_name: string; Value: string }[]).map(
            (r) => [r.Variable_name, r.Value],
          ),
        );
        if (
          v.get("wsrep_ready") === "ON" &&
          v.get("wsrep_local_state_comment") === "Synced"
        ) return;
      } finally {
        await c.end();
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `galera node on port ${port} did not sync${
      exited ? " (it exited)" : ""
    }:\n` +
      (await log()).split("\n").slice(-25).join("\n"),
  );
}
