/**
 * A server the tests run as a foreground child process (Prosody, ejabberd):
 * started, waited for until its TCP ports accept, stopped with SIGTERM
 * (SIGKILL after 10 s), started again; its output and log file kept for
 * failure messages.
 *
 * @module
 */

/** Generous: a loaded CI machine may be slow to start a server. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** Resolves when a TCP port on 127.0.0.1 accepts a connection. */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!alive()) throw new Error(`server exited before port ${port} opened`);
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
}

/** Collects a child's output stream into `sink` until it ends. */
async function drain(
  stream: ReadableStream<Uint8Array>,
  sink: string[],
): Promise<void> {
  const dec = new TextDecoder();
  for await (const chunk of stream) sink.push(dec.decode(chunk));
}

/** How to run a server process; see {@linkcode serverProcess}. */
export interface ServerCommand {
  /** For messages, e.g. `"prosody"`. */
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Log file the server writes (read by `logs()`). */
  logFile: string;
  /** TCP ports on 127.0.0.1 that must accept before the server counts as up. */
  ports: number[];
}

/** A foreground server child process that can be stopped and started again. */
export interface ServerProcess {
  /** Start (if not running) and wait for the ports. */
  resume(): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s), wait for exit and for the output pipes. */
  pause(): Promise<void>;
  signal(sig: Deno.Signal): void;
  /** Log file plus the process's stdout/stderr so far. */
  logs(): string;
}

/** Wraps a foreground server command; nothing runs until `resume()`. */
export function serverProcess(cmd: ServerCommand): ServerProcess {
  const output: string[] = [];
  let child: Deno.ChildProcess | null = null;
  let exited = false;
  let drains: Promise<unknown>[] = [];

  const logs = () => {
    let file = "";
    try {
      file = Deno.readTextFileSync(cmd.logFile);
    } catch {
      // not written yet, or removed
    }
    return file + output.join("");
  };

  const pause = async () => {
    const c = child;
    if (!c) return;
    child = null;
    if (!exited) {
      try {
        c.kill("SIGCONT");
        c.kill("SIGTERM");
      } catch {
        // already gone
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => {
      timer = setTimeout(() => r("late"), STOP_TIMEOUT_MS);
    });
    const how = await Promise.race([c.status, late]);
    clearTimeout(timer);
    if (how === "late") {
      try {
        c.kill("SIGKILL");
      } catch {
        // already gone
      }
      await c.status;
    }
    await Promise.all(drains);
  };

  const resume = async () => {
    if (child) return;
    exited = false;
    const c = new Deno.Command(cmd.command, {
      args: cmd.args,
      env: cmd.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    child = c;
    drains = [drain(c.stdout, output), drain(c.stderr, output)];
    c.status.then(() => exited = true);
    try {
      for (const port of cmd.ports) {
        await waitForPort(port, START_TIMEOUT_MS, () => !exited);
      }
    } catch (e) {
      await pause();
      throw new Error(
        `${cmd.name}: ${
          (e as Error).message
        }\n--- ${cmd.name} log ---\n${logs()}`,
      );
    }
  };

  return {
    resume,
    pause,
    signal: (sig) => child?.kill(sig),
    logs,
  };
}
