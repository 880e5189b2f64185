/**
 * A real, throwaway MariaDB for tests: `mariadb-install-db` into a temp dir,
 * then `mariadbd` as the current user on a free loopback port, with a
 * password user and a fresh utf8mb4 database. Small InnoDB files keep the
 * start to about a second.
 *
 * Where `/usr/sbin/mariadbd` is missing, {@linkcode startMariaDb} returns
 * null (the test reports itself ignored), unless env `CI` is set: then it
 * throws, because CI must run the MySQL tests.
 *
 * @module
 */

import mysql from "mysql2/promise";
import { freeTcpPort } from "./ports.ts";

/** The server binary tests look for (env `GOIPPY_MARIADBD` overrides). */
export const MARIADBD: string = Deno.env.get("GOIPPY_MARIADBD") ??
  "/usr/sbin/mariadbd";

/** A running test MariaDB. */
export interface MariaDb {
  host: string;
  port: number;
  user: string;
  password: string;
  /** A fresh, empty utf8mb4 database. */
  database: string;
  /** Temp dir holding datadir, socket and error log. */
  dir: string;
  /** Create another empty utf8mb4 database; returns its name. */
  createDatabase(name: string): Promise<string>;
  /** Stop the server (SIGTERM, waits) and start it again: same data, same port. */
  restart(): Promise<void>;
  /** Stop the server without starting it again (for fault tests). */
  pause(): Promise<void>;
  /** Start the server again after {@linkcode MariaDb.pause}. */
  resume(): Promise<void>;
  /** The server's error log. */
  logs(): Promise<string>;
  /** Stop the server and remove every file. */
  stop(): Promise<void>;
}

/** True when this machine can run the MySQL tests. */
export function haveMariaDb(): boolean {
  try {
    return Deno.statSync(MARIADBD).isFile;
  } catch {
    return false;
  }
}

/** Message for tests that skip because MariaDB is missing. */
export const MARIADB_MISSING =
  `${MARIADBD} not found: MySQL tests ignored (install mariadb-server; with CI set they fail)`;

const SERVER_OPTS = [
  "--innodb-log-file-size=8M",
  "--innodb-buffer-pool-size=32M",
  "--skip-log-bin",
  "--performance-schema=OFF",
  "--character-set-server=utf8mb4",
  "--collation-server=utf8mb4_bin",
];

/** Options of {@linkcode startMariaDb}. */
export interface MariaDbOptions {
  /**
   * Server options after the tests' own (a later option wins), e.g. the
   * benchmark's InnoDB sizes.
   */
  serverArgs?: string[];
}

/** Start a MariaDB, or null when it is not installed (and CI is not set). */
export async function startMariaDb(
  opts: MariaDbOptions = {},
): Promise<MariaDb | null> {
  const serverOpts = [...SERVER_OPTS, ...(opts.serverArgs ?? [])];
  if (!haveMariaDb()) {
    if (Deno.env.get("CI")) {
      throw new Error(`${MARIADBD} is missing, and CI is set`);
    }
    return null;
  }
  const dir = await Deno.makeTempDir({ prefix: "goippy-mariadb-" });
  const datadir = `${dir}/data`;
  const socket = `${dir}/mysqld.sock`;
  const errLog = `${dir}/error.log`;
  // A private tmpdir: parallel bootstraps in one /tmp clash on temp tables.
  const tmpdir = `${dir}/tmp`;
  await Deno.mkdir(tmpdir);
  const port = freeTcpPort();
  let child: Deno.ChildProcess | null = null;
  const user = "goippy";
  const password = "goippy-test-pw";

  async function start(): Promise<void> {
    child = new Deno.Command(MARIADBD, {
      args: [
        "--no-defaults",
        ...asUser(),
        `--datadir=${datadir}`,
        `--socket=${socket}`,
        `--tmpdir=${tmpdir}`,
        `--pid-file=${dir}/mysqld.pid`,
        `--log-error=${errLog}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        "--skip-name-resolve",
        ...serverOpts,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitReady(port, child, errLog);
  }

  async function halt(): Promise<void> {
    const c = child;
    child = null;
    if (!c) return;
    try {
      c.kill("SIGTERM");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        c.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 20_000);
    await c.status;
    clearTimeout(timer);
  }

  try {
    const install = await new Deno.Command("mariadb-install-db", {
      args: [
        "--no-defaults",
        "--auth-root-authentication-method=normal",
        `--datadir=${datadir}`,
        ...asUser(),
        "--skip-test-db",
        `--tmpdir=${tmpdir}`,
        ...serverOpts,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!install.success) {
      throw new Error(
        "mariadb-install-db failed:\n" +
          new TextDecoder().decode(install.stderr),
      );
    }
    await start();
    await rootQuery(port, [
      `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`,
      `GRANT ALL PRIVILEGES ON *.* TO '${user}'@'%'`,
      "CREATE DATABASE goippy_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
    ]);
  } catch (err) {
    await halt();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }

  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    database: "goippy_test",
    dir,
    async createDatabase(name: string) {
      if (!/^\w{1,64}$/.test(name)) throw new Error(`bad db name ${name}`);
      await rootQuery(port, [
        `CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
      ]);
      return name;
    },
    async restart() {
      await halt();
      await start();
    },
    pause: halt,
    async resume() {
      if (!child) await start();
    },
    logs: () => Deno.readTextFile(errLog).catch(() => ""),
    async stop() {
      await halt();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** mariadbd refuses to run as root unless told to. */
function asUser(): string[] {
  return Deno.uid() === 0 ? ["--user=root"] : [];
}

/** Run statements as root over TCP. */
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

/** Wait until the server accepts connections (30 s), or fail with its log. */
async function waitReady(
  port: number,
  child: Deno.ChildProcess,
  errLog: string,
): Promise<void> {
  let exited = false;
  child.status.then(() => exited = true);
  for (let i = 0; i < 300; i++) {
    if (exited) break;
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const log = await Deno.readTextFile(errLog).catch(() => "");
  throw new Error(
    `mariadbd did not start on port ${port}${exited ? " (it exited)" : ""}:\n` +
      log.split("\n").slice(-20).join("\n"),
  );
}
