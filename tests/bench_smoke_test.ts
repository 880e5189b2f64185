/**
 * The benchmark harness' pure pieces: percentile math, /proc parsing, pacing,
 * config writing, target checks, table rendering and profile summaries.
 * No timing is asserted here; `deno task bench` does the measuring.
 */

import {
  deepStrictEqual as assertEquals,
  throws as assertThrows,
} from "node:assert/strict";
import {
  cpuShare,
  parseRcvbufErrors,
  parseStatCpuTicks,
  parseStatusRssKb,
  parseUdpDrops,
} from "../bench/proc.ts";
import { dueCount } from "../bench/pace.ts";
import { hotspots, shortUrl } from "../bench/profile.ts";
import { fileStamp, renderReport } from "../bench/report.ts";
import { median, percentile, ratio, summarize } from "../bench/stats.ts";
import { markdownTable, verdict } from "../bench/table.ts";
import { buildRows, fmtMs, fmtPct, fmtRate } from "../bench/targets.ts";
import { toToml } from "../bench/toml.ts";
import type { BackendResult, BenchRun, ReceiveStep } from "../bench/types.ts";

Deno.test("percentile: nearest rank over unsorted samples", () => {
  const cases: [number[], number, number | null][] = [
    [[], 50, null],
    [[7], 50, 7],
    [[7], 99, 7],
    [[3, 1, 2], 50, 2],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 75, 3],
    [[1, 2, 3, 4], 100, 4],
    [Array.from({ length: 100 }, (_, i) => 100 - i), 99, 99],
    [Array.from({ length: 100 }, (_, i) => i + 1), 1, 1],
    [Array.from({ length: 1000 }, (_, i) => i), 99, 989],
  ];
  for (const [samples, q, want] of cases) {
    assertEquals(percentile(samples, q), want, `p${q} of ${samples.length}`);
  }
});

Deno.test("percentile: refuses a quantile outside (0, 100]", () => {
  for (const q of [0, -1, 101, NaN]) {
    assertThrows(() => percentile([1, 2], q), RangeError);
  }
});

Deno.test("median, summarize and ratio", () => {
  assertEquals(median([]), null);
  assertEquals(median([5, 1, 3]), 3);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  assertEquals(summarize([]), { count: 0, p50: null, p99: null, max: null });
  assertEquals(summarize([2, 9, 4]), { count: 3, p50: 4, p99: 9, max: 9 });
  assertEquals(ratio(1, 4), 0.25);
  assertEquals(ratio(1, 0), null);
  assertEquals(ratio(null, 2), null);
});

Deno.test("proc: utime+stime past a command name with spaces and parens", () => {
  const fields = "S 1 2 3 4 5 6 7 8 9 10 250 75 0 0 20 0 9 0";
  assertEquals(parseStatCpuTicks(`4242 (deno) ${fields}`), 325);
  assertEquals(parseStatCpuTicks(`4242 (a (b) c) ${fields}`), 325);
  assertThrows(() => parseStatCpuTicks("garbage"));
  assertThrows(() => parseStatCpuTicks("1 (x) S 1"));
  assertEquals(parseStatusRssKb("Name:\tdeno\nVmRSS:\t  123456 kB\n"), 123456);
  assertEquals(parseStatusRssKb("Name:\tdeno\n"), null);
  const a = { cpuTicks: 100, rssKb: 1, atMs: 0 };
  assertEquals(cpuShare(a, { cpuTicks: 150, rssKb: 1, atMs: 10_000 }), 0.05);
  assertEquals(cpuShare(a, { ...a }), null);
});

Deno.test("proc: kernel UDP drops per socket and host-wide", () => {
  const udp =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" +
    "    4: 0100007F:C448 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 182877 2 0000000051b3e082 17\n" +
    "   74: 0100007F:00B8 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 182835 2 000000009b8dd1f7 0\n";
  assertEquals(parseUdpDrops(udp, 0xc448), 17);
  assertEquals(parseUdpDrops(udp, 184), 0);
  assertEquals(parseUdpDrops(udp, 9), null);
  assertEquals(parseUdpDrops("", 9), null);
  const snmp = "Ip: Forwarding\nIp: 1\n" +
    "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\n" +
    "Udp: 1864708 7123 37151 1909490 37150 0\n";
  assertEquals(parseRcvbufErrors(snmp), 37150);
  assertEquals(parseRcvbufErrors("Ip: 1\n"), null);
});

Deno.test("pace: events due after a given time at a rate", () => {
  const cases: [number, number, number, number][] = [
    // elapsedMs, rate, total, due
    [0, 1000, 100, 1],
    [0.5, 1000, 100, 1],
    [1, 1000, 100, 2],
    [10, 500, 100, 6],
    [1000, 500, 100, 100],
    [5, 0, 100, 1],
  ];
  for (const [ms, rate, total, want] of cases) {
    assertEquals(dueCount(ms, rate, total), want, `${ms} ms at ${rate}/s`);
  }
});

Deno.test("toml: flat keys; odd keys and numbers refused", () => {
  assertEquals(
    toToml({ A: 'x"y', B: 3, C: true, D: ["1.2.3.4/8"] }),
    'A = "x\\"y"\nB = 3\nC = true\nD = ["1.2.3.4/8"]\n',
  );
  assertThrows(() => toToml({ "a b": 1 }));
  assertThrows(() => toToml({ A: Infinity }));
});

Deno.test("formatting of figures", () => {
  const cases: [string, string][] = [
    [fmtMs(null), "–"],
    [fmtMs(0.734), "0.73 ms"],
    [fmtMs(12.34), "12.3 ms"],
    [fmtMs(3128.4), "3128 ms"],
    [fmtRate(1914), "1.9k/s"],
    [fmtRate(500), "500/s"],
    [fmtPct(0.314), "31.4 %"],
    [fmtPct(null), "–"],
    [fileStamp("2026-11-29T05:07:06.420Z"), "2026-11-29T05-07-06Z"],
  ];
  for (const [got, want] of cases) assertEquals(got, want);
});

function step(rate: number, p99: number, extra: Partial<ReceiveStep> = {}) {
  return {
    rate,
    achievedRate: rate,
    sent: 10,
    acked: 10,
    retransmitted: 0,
    lost: 0,
    latency: { count: 10, p50: p99 / 2, p99, max: p99 },
    ...extra,
  };
}

function result(backend: "sqlite" | "mysql"): BackendResult {
  return {
    backend,
    keepalive: {
      count: 100,
      window: 8,
      floorPerSec: 1000,
      goippyPerSec: backend === "sqlite" ? 800 : 600,
      ratio: backend === "sqlite" ? 0.8 : 0.6,
      goippyMissing: 0,
      floorMissing: 0,
      goippyLatency: { count: 1, p50: 1, p99: 1, max: 1 },
      floorLatency: { count: 1, p50: 1, p99: 1, max: 1 },
      kernelFloor: backend === "sqlite"
        ? {
          perSec: 2000,
          ratio: 0.4,
          missing: 0,
          latency: { count: 1, p50: 0.5, p99: 2, max: 2 },
        }
        : null,
    },
    receive: {
      fixed: [step(500, 4), step(2000, 40, { retransmitted: 3 })],
      steps: [step(1000, 2), step(3000, 3000, { retransmitted: 5 })],
      maxCleanRate: 1000,
      stoppedBy: "retransmission",
      ...(backend === "sqlite"
        ? { sustained: step(10_000, 3, { goippyDrops: 0 }) }
        : {}),
    },
    e2e: [{
      rate: 100,
      sent: 10,
      received: 10,
      latency: { count: 10, p50: 10, p99: 60, max: 60 },
    }],
    xmppToSms: null,
    idle: {
      lines: 10_000,
      intervalS: 30,
      windowS: 10,
      cpuShare: 0.02,
      rssMb: 160,
      keepalivesSent: 1,
      keepalivesOk: 1,
      keepalivesLost: 0,
    },
    cold: { samplesMs: [300, 200, 400], medianMs: 300 },
    notes: [],
  };
}

Deno.test("targets: each row met, missed or without target", () => {
  const rows = buildRows([result("sqlite"), result("mysql")]);
  const byName = Object.fromEntries(rows.map((r) => [r.measure, r]));
  const want: [string, boolean | null, boolean | null][] = [
    ["Keepalives/s vs the Deno echo floor (runtime)", true, false],
    ["Keepalives/s vs the C echo floor (kernel)", null, null],
    ["RECEIVE → ack p50 / p99 at 500/s", true, null],
    ["RECEIVE → ack p50 / p99 at 2000/s", null, false],
    ["Highest RECEIVE rate without resends", false, false],
    [
      "SQLite: datagrams dropped by the kernel in a long RECEIVE run",
      true,
      null,
    ],
    ["RECEIVE → XMPP client p50 / p99 at 100/s", false, false],
    ["RECEIVE → XMPP client p50 / p99 at 1000/s", null, null],
    ["XMPP → SMS at the module p50 / p99", null, null],
    [
      "Outbound across 1,000 lines: SMS/s (enqueue → datagram p50 / p99)",
      null,
      null,
    ],
    [
      "Outbound via the HTTP API at 1,000/s (POST → datagram p50 / p99)",
      null,
      null,
    ],
    ["Idle lines: CPU (one core; per keepalive)", true, true],
    ["Idle lines: RSS (per line)", false, false],
    ["Cold start with the idle scenario's gateways", null, null],
    ["Cold start → first keepalive answered", true, true],
  ];
  assertEquals(rows.map((r) => r.measure), want.map((w) => w[0]));
  for (const [name, sqlite, mysql] of want) {
    assertEquals(byName[name].met, { sqlite, mysql }, name);
  }
  assertEquals(
    byName["RECEIVE → ack p50 / p99 at 2000/s"].values.sqlite,
    "20.0 ms / 40.0 ms (3 resent)",
  );
  assertEquals(byName["XMPP → SMS at the module p50 / p99"].values.mysql, "–");
  assertEquals(
    byName["Idle lines: CPU (one core; per keepalive)"].values.sqlite,
    "2.0 % (10000 lines; 200000 µs per keepalive)",
  );
  assertEquals(
    byName["Keepalives/s vs the C echo floor (kernel)"].values,
    {
      sqlite: "40.0 % (800/s vs 2.0k/s; p50 / p99 " +
        "1.00 ms / 1.00 ms vs 0.50 ms / 2.00 ms (200 % / 50 %))",
      mysql: "– (no cc)",
    },
  );
});

Deno.test("table: markdown with escaped cells and verdicts", () => {
  assertEquals(
    markdownTable(["a", "b"], [["x|y", "1\n2"], ["z"]]),
    "| a | b |\n|---|---|\n| x\\|y | 1 2 |\n| z |  |\n",
  );
  assertEquals(
    verdict({ sqlite: true, mysql: false }, ["sqlite", "mysql"]),
    "met / MISSED",
  );
  assertEquals(
    verdict({ sqlite: null, mysql: null }, ["sqlite", "mysql"]),
    "–",
  );
  assertEquals(
    verdict({ sqlite: null, mysql: true }, ["sqlite", "mysql"]),
    "– / met",
  );
});

Deno.test("report: one table with a column per backend and the notes", () => {
  const mysql = { ...result("mysql"), notes: ["XMPP end to end failed: x\ny"] };
  const run: BenchRun = {
    startedAt: "2026-11-29T05:00:00.000Z",
    mode: "quick",
    host: { cpus: 2, os: "linux", deno: "2.9.6", v8: "15" },
    durationS: 100,
    backends: [result("sqlite"), mysql],
  };
  const md = renderReport(run);
  const lines = md.split("\n");
  assertEquals(
    lines.find((l) => l.startsWith("| Measure")),
    "| Measure | SQLite | MariaDB | Target | Met (SQLite / MariaDB) |",
  );
  assertEquals(lines.filter((l) => l.startsWith("| ")).length, 16);
  assertEquals(lines.includes("- mysql: XMPP end to end failed: x"), true);
  assertEquals(lines.includes("Reproduce: `deno task bench --quick`"), true);
});

Deno.test("profile: self time per function, npm and repo paths shortened", () => {
  const frame = (functionName: string, url: string, lineNumber = 0) => ({
    functionName,
    url,
    lineNumber,
  });
  const profile = {
    startTime: 0,
    endTime: 1,
    nodes: [
      { id: 1, callFrame: frame("(root)", ""), hitCount: 0 },
      { id: 2, callFrame: frame("(idle)", ""), hitCount: 6 },
      { id: 3, callFrame: frame("exec", ""), hitCount: 3 },
      {
        id: 4,
        callFrame: frame("parse", "file:///w/src/goip/parse.ts", 9),
        hitCount: 1,
      },
    ],
  };
  assertEquals(hotspots(profile, 2), [
    { where: "(idle)", share: 0.6 },
    { where: "exec", share: 0.3 },
  ]);
  assertEquals(hotspots(profile)[2], {
    where: "parse (src/goip/parse.ts:10)",
    share: 0.1,
  });
  assertEquals(
    shortUrl(
      "file:///x/node_modules/.deno/ltx@3.1.2/node_modules/ltx/lib/a.js",
    ),
    "npm:ltx/lib/a.js",
  );
  assertEquals(shortUrl(""), "");
});
