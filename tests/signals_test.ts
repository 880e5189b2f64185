/**
 * The real daemon (support/daemon.ts: `deno run <goippy's flags> main.ts
 * --config …`, XMPP off, SQLite in a temp dir) under signals: SIGTERM and
 * SIGINT stop it with exit 0 and a "stopped" line; SIGHUP re-reads the
 * config (LOG_LEVEL → debug). JOURNAL_STREAM is set, so lines carry
 * journald level prefixes.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import { waitFor } from "./support/poll.ts";

const READY = /goippy listening on udp 127\.0\.0\.1:(\d+) \(sqlite\)/;

/** Long enough for a cold start on a busy machine. */
const WAIT = 30_000;

function start(): Promise<DaemonHandle> {
  return startDaemon({
    config: { LOG_LEVEL: "info" },
    env: { JOURNAL_STREAM: "8:12345" },
  });
}

/** The daemon's config with LOG_LEVEL set to `level`. */
async function withLevel(d: DaemonHandle, level: string): Promise<string> {
  const text = await Deno.readTextFile(d.configPath);
  const next = text.replace(/^LOG_LEVEL = .*$/m, `LOG_LEVEL = "${level}"`);
  assert(next !== text, `no LOG_LEVEL line in:\n${text}`);
  return next;
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
    const d = await start();
    try {
      await d.waitForLog(READY, WAIT);
      d.signal(signal);
      assertEquals(await d.exited(), 0, d.logs());
      assert(/stopped/i.test(d.logs()), d.logs());
      // journald style: every log line starts with a level prefix.
      const lines = d.logs().split("\n").filter((l) =>
        l.includes("goippy listening")
      );
      assert(lines.length === 1 && lines[0].startsWith("<6>"), d.logs());
    } finally {
      await d.stop();
    }
  });
}

Deno.test("SIGHUP re-reads the config: LOG_LEVEL debug takes effect", async () => {
  const d = await start();
  try {
    await d.waitForLog(READY, WAIT);
    assert(!d.logs().includes("<7>"), "no debug lines at info level");
    await Deno.writeTextFile(d.configPath, await withLevel(d, "debug"));
    d.signal("SIGHUP");
    await d.waitForLog(/reload/i, WAIT);
    // Something for the daemon to talk about at debug level; the password
    // in it must not reach the log.
    await waitFor(
      async () => {
        if (d.logs().includes("<7>")) return true;
        await sendUdp(d.udpPort, "req:1;id:nobody;pass:hunter2;num:;");
        return false;
      },
      WAIT,
      () => `a debug line after SIGHUP:\n${d.logs()}`,
      200,
    );
    assert(!d.logs().includes("hunter2"), d.logs());
    assert(d.logs().includes("pass:***"), d.logs());
    assert(/<6>reloaded .*changed LOG_LEVEL/.test(d.logs()), d.logs());
    d.signal("SIGTERM");
    assertEquals(await d.exited(), 0, d.logs());
  } finally {
    await d.stop();
  }
});

Deno.test("a broken config on SIGHUP is refused and the daemon keeps running", async () => {
  const d = await start();
  try {
    await d.waitForLog(READY, WAIT);
    await Deno.writeTextFile(d.configPath, "LOG_LEVEL = \n");
    d.signal("SIGHUP");
    await d.waitForLog(/reload/i, WAIT);
    await d.waitForLog(/LOG_LEVEL|line 1/, WAIT);
    d.signal("SIGTERM");
    assertEquals(await d.exited(), 0, d.logs());
    assert(/stopped/i.test(d.logs()), d.logs());
  } finally {
    await d.stop();
  }
});
