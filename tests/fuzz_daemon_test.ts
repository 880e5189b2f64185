/**
 * 1,000,000 random and mutated datagrams (fixed seed, built from real packet
 * shapes) into a live daemon over loopback, from four source addresses,
 * paced in bounded bursts: the process stays up, logs no error or unhandled
 * rejection, its RSS does not keep growing (after 100k vs at the end, fixed
 * slack), and afterwards it still answers a real gateway's keepalive and
 * stores its SMS.
 *
 * The auth-failure rate limit is off here (GOIP_AUTH_FAIL_LIMIT = 0) so the
 * datagrams reach the parser and the handlers instead of being dropped at
 * the socket; the limit has its own test in security_test.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { startDaemon } from "./support/daemon.ts";
import { DatagramFuzzer } from "./support/fuzz_datagrams.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { freeTcpPort } from "./support/ports.ts";

const TOTAL = 1_000_000;
const BURST = 100;
/** Datagrams per second: about what the daemon digests on 2 busy cores. */
const RATE = 7000;
/**
 * Slack for RSS growth between the 100k mark and the end. V8 grows its heap
 * in steps: measured 88 MB at 100k, one step to ~130 MB near 1M, then flat
 * (131–135 MB from 1M to 2M in a 2M run). A leak of 80 bytes per datagram
 * would already exceed it.
 */
const RSS_SLACK_KB = 64 * 1024;

/** The pid of the process whose command line mentions `marker`. */
function findPid(marker: string): number {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (cmd.includes(marker) && cmd.includes("main.ts")) return +e.name;
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no process with ${marker}`);
}

/** VmRSS of a process in kB. */
function rssKb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return +m[1];
}

/** Sum of a counter over its labels, from goippy's /metrics. */
async function counter(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`).exec(line);
    if (m) sum += Number(m[1]);
  }
  return sum;
}

Deno.test("fuzz: 1,000,000 hostile datagrams into a live daemon: alive, flat memory, still serving", async () => {
  const metricsPort = freeTcpPort();
  const d = await startDaemon({
    gateways: [{ ext: "2001", password: "fuzz-pw" }],
    config: {
      LOG_LEVEL: "error",
      GOIP_AUTH_FAIL_LIMIT: 0,
      METRICS_BIND: `127.0.0.1:${metricsPort}`,
    },
  });
  const socks = [1, 2, 3, 4].map((i) =>
    Deno.listenDatagram({
      transport: "udp",
      hostname: `127.0.0.${i}`,
      port: 0,
    })
  );
  // Drain what goippy answers (keepalive 404s, acks) so nothing piles up.
  const drains = socks.map(async (s) => {
    try {
      for (;;) await s.receive();
    } catch {
      // closed
    }
  });
  let sim: GoipSim | null = null;
  try {
    const pid = findPid(d.configPath);
    const target: Deno.NetAddr = {
      transport: "udp",
      hostname: "127.0.0.1",
      port: d.udpPort,
    };
    const fuzz = new DatagramFuzzer(5);
    const started = Date.now();
    let rssAt100k = 0;
    let peak = rssKb(pid);
    let sent = 0;
    const samples: number[] = [];
    while (sent < TOTAL) {
      const sock = socks[(sent / BURST) % socks.length];
      const burst: Promise<number>[] = [];
      for (let i = 0; i < BURST; i++) {
        burst.push(sock.send(fuzz.next(), target));
      }
      await Promise.all(burst);
      sent += BURST;
      // Bounded pacing: at most RATE datagrams a second.
      const ahead = sent / RATE * 1000 - (Date.now() - started);
      if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
      if (sent % 20_000 === 0) {
        peak = Math.max(peak, rssKb(pid));
        if (sent === 100_000) rssAt100k = rssKb(pid);
        if (sent % 100_000 === 0) samples.push(Math.round(rssKb(pid) / 1024));
      }
    }
    const seconds = (Date.now() - started) / 1000;
    // Let the daemon finish what is queued, then measure.
    await new Promise((r) => setTimeout(r, 2000));
    const rssEnd = rssKb(pid);
    const parsed = await counter(metricsPort, "goippy_datagrams_in_total");
    peak = Math.max(peak, rssEnd);

    // It still serves a real gateway.
    sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: d.udpPort },
      hostname: "127.0.0.5",
      id: "goippy_2001",
      password: "fuzz-pw",
      retransmitMs: 1000,
    });
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    const r = await sim.receive("+3725551234", "after the storm");
    assertEquals(r.acked, true);
    const store = await d.openStore();
    try {
      const inbox = await store.pendingInbox(10);
      assertEquals(inbox.map((i) => i.body), ["after the storm"]);
    } finally {
      await store.close();
    }

    const logs = d.logs();
    ok(
      !/uncaught|unhandled|panic|ERROR/i.test(logs),
      `errors in logs:\n${logs.slice(0, 4000)}`,
    );
    ok(parsed > 500_000, `only ${parsed} datagrams reached the parser`);
    ok(
      rssEnd - rssAt100k < RSS_SLACK_KB,
      `RSS grew from ${rssAt100k} kB (100k) to ${rssEnd} kB (end)`,
    );
    console.log(
      `fuzz: ${sent} datagrams from ${socks.length} sources in ${
        seconds.toFixed(0)
      } s, ${parsed} parsed (the rest refused unread: oversized, not ` +
        `UTF-8, or lost by the kernel); ` +
        `RSS at 100k ${(rssAt100k / 1024).toFixed(1)} MB, at the end ` +
        `${(rssEnd / 1024).toFixed(1)} MB, peak ${
          (peak / 1024).toFixed(1)
        } MB; RSS per 100k (MB): ` +
        samples.join(" "),
    );
    assertEquals(await d.stop(), 0);
  } finally {
    for (const s of socks) s.close();
    await Promise.all(drains);
    await sim?.close();
    await d.stop().catch(() => {});
  }
});
