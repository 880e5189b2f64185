/**
 * The real goippy daemon as a child process for the benchmark: spawned with
 * exactly the `goippy` task's flags (scripts/flags.ts) and a config file in a
 * temp dir, optionally with the V8 inspector on a free port for profiling.
 * Unlike tests/support/daemon.ts it exposes the pid (for /proc) and the spawn
 * moment (for the cold start), and never waits for readiness by itself.
 *
 * @module
 */

import { goippyRunFlags, MAIN_TS } from "../scripts/flags.ts";
import { type TomlValue, toToml } from "./toml.ts";

const MAX_LOG_CHARS = 1_000_000;

/** Options of {@linkcode BenchDaemon.spawn}. */
export interface SpawnOptions {
  /** Directory for the config file (the caller owns and removes it). */
  dir: string;
  /** Config keys written to `<dir>/goippy.conf`. */
  config: Record<string, TomlValue>;
  /** Start the V8 inspector on a free loopback port (for CPU profiles). */
  inspect?: boolean;
}

/** A spawned goippy. */
export class BenchDaemon {
  /** `performance.now()` just before the spawn. */
  readonly spawnedAt: number;
  readonly #child: Deno.ChildProcess;
  readonly #readers: Promise<void>[];
  #log = "";
  #exit: Deno.CommandStatus | null = null;
  readonly #status: Promise<Deno.CommandStatus>;

  private constructor(child: Deno.ChildProcess, spawnedAt: number) {
    this.#child = child;
    this.spawnedAt = spawnedAt;
    this.#readers = [this.#drain(child.stdout), this.#drain(child.stderr)];
    this.#status = child.status.then((s) => (this.#exit = s));
  }

  /** Write the config and spawn `deno run <goippy flags> main.ts --config …`. */
  static async spawn(opts: SpawnOptions): Promise<BenchDaemon> {
    const configPath = `${opts.dir}/goippy.conf`;
    // The spool beside the config, never in the working directory.
    const config = {
      SPOOL_PATH: `${opts.dir}/goippy-spool.sqlite3`,
      ...opts.config,
    };
    await Deno.writeTextFile(configPath, toToml(config), { mode: 0o600 });
    const flags = await goippyRunFlags();
    if (opts.inspect) flags.push("--inspect=127.0.0.1:0");
    const env = Deno.env.toObject();
    delete env.JOURNAL_STREAM;
    delete env.GOIPPY_CONFIG;
    delete env.NO_COLOR;
    env.NO_COLOR = "1";
    const spawnedAt = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, MAIN_TS, "--config", configPath],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env,
    }).spawn();
    return new BenchDaemon(child, spawnedAt);
  }

  /** The daemon's process id (the deno process itself). */
  get pid(): number {
    return this.#child.pid;
  }

  /** Exit status once it exited, else null. */
  get exited(): Deno.CommandStatus | null {
    return this.#exit;
  }

  /** stdout and stderr so far (the last megabyte). */
  logs(): string {
    return this.#log;
  }

  /** Wait for a log line matching `re`; throws with the log tail on timeout or exit. */
  async waitForLog(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const end = Date.now() + timeoutMs;
    while (true) {
      const m = re.exec(this.#log);
      if (m) return m;
      if (this.#exit !== null || Date.now() >= end) {
        const why = this.#exit !== null
          ? `exited with code ${this.#exit.code}`
          : `no ${re} within ${timeoutMs} ms`;
        throw new Error(`goippy ${why}; log tail:\n${this.#log.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The inspector's WebSocket URL (needs `inspect: true`). */
  async inspectorUrl(timeoutMs = 10_000): Promise<string> {
    const m = await this.waitForLog(
      /ws:\/\/127\.0\.0\.1:\d+\/[\w/-]+/,
      timeoutMs,
    );
    return m[0];
  }

  /** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves with the exit code. */
  async stop(graceMs = 8000): Promise<number> {
    if (this.#exit === null) {
      try {
        this.#child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        this.#status.then(() => false),
        new Promise<boolean>((r) => timer = setTimeout(() => r(true), graceMs)),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        try {
          this.#child.kill("SIGKILL");
        } catch {
          // Gone meanwhile.
        }
      }
    }
    const status = await this.#status;
    await Promise.all(this.#readers);
    return status.code;
  }

  async #drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.#log += dec.decode(chunk, { stream: true });
        if (this.#log.length > MAX_LOG_CHARS) {
          this.#log = this.#log.slice(-MAX_LOG_CHARS / 2);
        }
      }
    } catch {
      // The process went away.
    }
  }
}
