/**
 * The real goippy daemon for end-to-end tests: `deno run <goippy's flags>
 * main.ts --config <tmp>/goippy.conf` on a free loopback UDP port, SQLite in
 * a temp dir (or a given MariaDB), XMPP off unless the config says otherwise.
 *
 * @module
 */

import { goippyRunFlags, MAIN_TS } from "../../scripts/flags.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { defaultConfig } from "../../src/config/defaults.ts";
import { createLogger } from "../../src/log.ts";
import type { MariaDb } from "./mariadb.ts";
import { freeUdpPort } from "./ports.ts";
import { goippy as runCliProcess, goippyEnv } from "./cli.ts";
import type { CliResult } from "./cli.ts";

/** Options of {@linkcode startDaemon}. */
export interface DaemonOptions {
  /** Extra config keys (UPPER_CASE), written as TOML. */
  config?: Record<string, TomlValue>;
  dbBackend?: "sqlite" | "mysql";
  /** The MariaDB to use when dbBackend is "mysql". */
  mysql?: Pick<MariaDb, "host" | "port" | "user" | "password" | "database">;
  /** Use this dir (kept) instead of a fresh temp dir (removed by stop). */
  tmpDir?: string;
  /** Gateways to add with the CLI before the daemon starts. */
  gateways?: { ext: string; password: string; allowRegex?: string }[];
  /** Extra environment for the daemon. */
  env?: Record<string, string>;
}

/** A running daemon. */
export interface DaemonHandle {
  dir: string;
  udpPort: number;
  configPath: string;
  sqlitePath: string;
  /** Everything the daemon printed so far (stdout and stderr). */
  logs(): string;
  /** Wait for a log line matching `re`; returns the match. Throws with the logs on timeout or exit. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Run a goippy CLI command against the same config. */
  cli(args: string[]): Promise<CliResult>;
  /** Open a store on the daemon's database (caller closes it). */
  openStore(): Promise<Store>;
  /** SIGTERM and wait (SIGKILL after 10 s); returns the exit code, cleans up. */
  stop(): Promise<number>;
  /**
   * Wait for the daemon to exit by itself (e.g. after {@linkcode signal});
   * returns the exit code. SIGKILLs it and throws with the logs after
   * `timeoutMs`.
   */
  exited(timeoutMs?: number): Promise<number>;
  /** SIGKILL and wait (keeps the temp dir for a restart). */
  kill(): Promise<void>;
  /** Stop (or after kill) and start again on the same config and port. */
  restart(): Promise<void>;
  /** Send a signal to the daemon. */
  signal(sig: Deno.Signal): void;
}

const READY = /goippy listening on udp \S+:(\d+) \((sqlite|mysql)\)/;

/** A config value the tests write: scalars, lists, lists of tables. */
export type TomlValue =
  | string
  | number
  | boolean
  | string[]
  | Record<string, string | string[]>[];

function toml(v: TomlValue): string {
  if (Array.isArray(v) && v.some((x) => typeof x === "object")) {
    const table = (t: Record<string, string | string[]>) =>
      `{ ${
        Object.entries(t).map(([k, x]) => `${k} = ${JSON.stringify(x)}`)
          .join(", ")
      } }`;
    return `[${
      (v as Record<string, string | string[]>[]).map(table).join(", ")
    }]`;
  }
  return typeof v === "string" || Array.isArray(v)
    ? JSON.stringify(v)
    : String(v);
}

/** Start the daemon and wait until it listens. */
export async function startDaemon(
  opts: DaemonOptions = {},
): Promise<DaemonHandle> {
  const ownDir = !opts.tmpDir;
  const dir = opts.tmpDir ??
    await Deno.makeTempDir({ prefix: "goippy-daemon-" });
  const udpPort = freeUdpPort();
  const sqlitePath = `${dir}/goippy.sqlite3`;
  const keys: Record<string, TomlValue> = {
    SQLITE_PATH: sqlitePath,
    SPOOL_PATH: `${dir}/goippy-spool.sqlite3`,
    GOIP_UDP_BIND: "127.0.0.1",
    GOIP_UDP_PORT: udpPort,
    LOG_LEVEL: "debug",
    LOG_TO_STDOUT: true,
    XMPP_COMPONENT_JID: "",
    XMPP_DOMAIN: "example.org",
    XMPP_COMPONENT_SECRET: "test-secret",
  };
  if (opts.dbBackend === "mysql") {
    const m = opts.mysql;
    if (!m) throw new Error("startDaemon: dbBackend mysql needs opts.mysql");
    Object.assign(keys, {
      DB_BACKEND: "mysql",
      DB_HOST: m.host,
      DB_PORT: m.port,
      DB_USER: m.user,
      DB_PASS: m.password,
      DB_NAME: m.database,
    });
  }
  Object.assign(keys, opts.config ?? {});
  const configPath = `${dir}/goippy.conf`;
  await Deno.writeTextFile(
    configPath,
    Object.entries(keys).map(([k, v]) => `${k} = ${toml(v)}\n`).join(""),
    { mode: 0o600 },
  );
  await Deno.chmod(configPath, 0o600);
  const cli = (args: string[]) =>
    runCliProcess(["--config", configPath, ...args]);
  for (const g of opts.gateways ?? []) {
    const r = await cli(
      ["--add", g.ext, g.password, ...(g.allowRegex ? [g.allowRegex] : [])],
    );
    if (r.code !== 0) throw new Error(`--add ${g.ext} failed: ${r.stderr}`);
  }

  let out = "";
  let child: Deno.ChildProcess | null = null;
  let exited: Promise<number> = Promise.resolve(0);
  let running = false;
  const flags = await goippyRunFlags();

  const spawn = async () => {
    out = "";
    const c = new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, MAIN_TS, "--config", configPath],
      env: goippyEnv(opts.env),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    child = c;
    running = true;
    const dec = new TextDecoder();
    const pump = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) out += dec.decode(chunk, { stream: true });
    };
    const pumps = Promise.all([pump(c.stdout), pump(c.stderr)]);
    exited = (async () => {
      const st = await c.status;
      await pumps;
      running = false;
      return st.code;
    })();
    const level = String(keys.LOG_LEVEL);
    if (level === "info" || level === "debug") {
      await handle.waitForLog(READY, 30_000);
    } else await probeReady();
  };

  /** Without the info-level ready line: wait until a keepalive is answered. */
  const probeReady = async () => {
    const sock = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    const to = {
      transport: "udp" as const,
      hostname: "127.0.0.1",
      port: udpPort,
    };
    const probe = new TextEncoder().encode("req:0;id:;pass:;");
    try {
      const end = Date.now() + 30_000;
      let replied = false;
      const rx = sock.receive().then(() => replied = true, () => {});
      while (!replied) {
        if (!running) throw new Error(`daemon exited:\n${out}`);
        if (Date.now() > end) throw new Error(`daemon not answering:\n${out}`);
        await sock.send(probe, to).catch(() => {});
        await new Promise((r) => setTimeout(r, 100));
      }
      await rx;
    } finally {
      sock.close();
    }
  };

  const waitExit = async (ms: number): Promise<number | null> => {
    let t: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      exited,
      new Promise<null>((res) => t = setTimeout(() => res(null), ms)),
    ]);
    clearTimeout(t);
    return r;
  };

  const terminate = async (): Promise<number> => {
    if (!running || !child) return await exited;
    (child as Deno.ChildProcess).kill("SIGTERM");
    const code = await waitExit(10_000);
    if (code !== null) return code;
    (child as Deno.ChildProcess).kill("SIGKILL");
    await exited;
    throw new Error(`daemon did not stop within 10 s:\n${out}`);
  };

  const handle: DaemonHandle = {
    dir,
    udpPort,
    configPath,
    sqlitePath,
    logs: () => out,
    async waitForLog(re, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = out.match(re);
        if (m) return m;
        if (!running) throw new Error(`daemon exited; no ${re}:\n${out}`);
        if (Date.now() > end) {
          throw new Error(`timed out waiting for ${re}:\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    cli,
    openStore() {
      const config = { ...defaultConfig(), ...keys } as ReturnType<
        typeof defaultConfig
      >;
      const log = createLogger({
        level: "error",
        journald: false,
        write: () => {},
      });
      return openStore(config, log);
    },
    async stop() {
      try {
        return await terminate();
      } finally {
        if (ownDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
    async exited(timeoutMs = 20_000) {
      const code = await waitExit(timeoutMs);
      if (code !== null) return code;
      (child as Deno.ChildProcess | null)?.kill("SIGKILL");
      await exited;
      throw new Error(`daemon did not exit within ${timeoutMs} ms:\n${out}`);
    },
    async kill() {
      if (running && child) (child as Deno.ChildProcess).kill("SIGKILL");
      await exited;
    },
    async restart() {
      await terminate();
      await spawn();
    },
    signal(sig) {
      if (running && child) (child as Deno.ChildProcess).kill(sig);
    },
  };
  try {
    await spawn();
  } catch (err) {
    if (running && child) (child as Deno.ChildProcess).kill("SIGKILL");
    await exited;
    if (ownDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
  return handle;
}
