/**
 * The real daemon (`deno run <goippy's flags> main.ts --config …`, XMPP off,
 * SQLite in a temp dir) under signals: SIGTERM and SIGINT stop it with exit
 * 0 and a "stopped" line; SIGHUP re-reads the config (LOG_LEVEL → debug).
 * JOURNAL_STREAM is set, so lines carry journald level prefixes.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { goippyRunFlags, MAIN_TS } from "../scripts/flags.ts";
import { freeUdpPort } from "./support/ports.ts";

const READY = /goippy listening on udp 127\.0\.0\.1:(\d+) \(sqlite\)/;

interface Running {
  dir: string;
  configPath: string;
  port: number;
  child: Deno.ChildProcess;
  output(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Wait for exit (bounded); resolves with the exit code. */
  exit(timeoutMs?: number): Promise<number>;
  cleanup(): Promise<void>;
}

function configText(port: number, dir: string, level: string): string {
  return [
    `SQLITE_PATH = "${dir}/goippy.sqlite3"`,
    `GOIP_UDP_BIND = "127.0.0.1"`,
    `GOIP_UDP_PORT = ${port}`,
    `LOG_LEVEL = "${level}"`,
    `XMPP_COMPONENT_JID = ""`,
    "",
  ].join("\n");
}

async function startDaemon(level = "info"): Promise<Running> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-signals-" });
  const port = freeUdpPort();
  const configPath = `${dir}/goippy.conf`;
  await Deno.writeTextFile(configPath, configText(port, dir, level), {
    mode: 0o600,
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...(await goippyRunFlags()), MAIN_TS, "--config", configPath],
    cwd: dir,
    env: { JOURNAL_STREAM: "8:12345", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (const w of waiters) w();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status;
  const running: Running = {
    dir,
    configPath,
    port,
    child,
    output: () => text,
    waitFor(re, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(text);
          if (m) {
            done();
            resolve(m[0]);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`no ${re} within ${timeoutMs} ms; output:\n${text}`),
          );
        }, timeoutMs);
        const exited = () => {
          if (!re.test(text)) {
            done();
            reject(new Error(`daemon exited before ${re}; output:\n${text}`));
          }
        };
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        status.then(() => pumps).then(() => setTimeout(exited, 0));
        check();
      });
    },
    async exit(timeoutMs = 20_000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), timeoutMs);
      });
      const res = await Promise.race([status, timeout]);
      clearTimeout(timer);
      if (res === "timeout") {
        child.kill("SIGKILL");
        await status;
        await pumps;
        throw new Error(`daemon did not exit within ${timeoutMs} ms:\n${text}`);
      }
      await pumps;
      return res.code;
    },
    async cleanup() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await status;
      await pumps;
      await Deno.remove(dir, { recursive: true });
    },
  };
  return running;
}

async function sendUdp(port: number, text: string) {
  const sock = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    await sock.send(new TextEncoder().encode(text), {
      transport: "udp",
      hostname: "127.0.0.1",
      port,
    });
  } finally {
    sock.close();
  }
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`${signal} stops the daemon with exit 0 and a stopped line`, async () => {
    const d = await startDaemon();
    try {
      await d.waitFor(READY);
      d.child.kill(signal);
      assertEquals(await d.exit(), 0, d.output());
      assert(/stopped/i.test(d.output()), d.output());
      // journald style: every log line starts with a level prefix.
      const lines = d.output().split("\n").filter((l) =>
        l.includes("goippy listening")
      );
      assert(lines.length === 1 && lines[0].startsWith("<6>"), d.output());
    } finally {
      await d.cleanup();
    }
  });
}

Deno.test("SIGHUP re-reads the config: LOG_LEVEL debug takes effect", async () => {
  const d = await startDaemon("info");
  try {
    await d.waitFor(READY);
    assert(!d.output().includes("<7>"), "no debug lines at info level");
    await Deno.writeTextFile(d.configPath, configText(d.port, d.dir, "debug"));
    d.child.kill("SIGHUP");
    await d.waitFor(/reload/i);
    // Something for the daemon to talk about at debug level; the password
    // in it must not reach the log.
    const deadline = Date.now() + 30_000;
    while (!d.output().includes("<7>") && Date.now() < deadline) {
      await sendUdp(d.port, "req:1;id:nobody;pass:hunter2;num:;");
      await new Promise((r) => setTimeout(r, 200));
    }
    assert(
      d.output().includes("<7>"),
      `no debug line after SIGHUP:\n${d.output()}`,
    );
    assert(!d.output().includes("hunter2"), d.output());
    assert(d.output().includes("pass:***"), d.output());
    assert(/<6>reloaded .*changed LOG_LEVEL/.test(d.output()), d.output());
    d.child.kill("SIGTERM");
    assertEquals(await d.exit(), 0, d.output());
  } finally {
    await d.cleanup();
  }
});

Deno.test("a broken config on SIGHUP is refused and the daemon keeps running", async () => {
  const d = await startDaemon("info");
  try {
    await d.waitFor(READY);
    await Deno.writeTextFile(d.configPath, "LOG_LEVEL = \n");
    d.child.kill("SIGHUP");
    await d.waitFor(/reload/i);
    await d.waitFor(/LOG_LEVEL|line 1/);
    d.child.kill("SIGTERM");
    assertEquals(await d.exit(), 0, d.output());
    assert(/stopped/i.test(d.output()), d.output());
  } finally {
    await d.cleanup();
  }
});
