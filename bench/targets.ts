/**
 * The targets and the table rows that compare a run against them.
 * Pure functions.
 *
 * @module
 */

import type { Backend, BackendResult, E2eStep, ReceiveStep } from "./types.ts";

/** One measure across backends, with its target. */
export interface Row {
  measure: string;
  /** Display value per backend ("–" when not measured). */
  values: Record<Backend, string>;
  /** The target in words ("" when there is none). */
  target: string;
  /** Per backend: true met, false missed, null no target or not measured. */
  met: Record<Backend, boolean | null>;
}

/** The targets the table judges against. */
export const TARGETS = {
  /** Keepalives/s as a share of the runtime's floor (the Deno echo). */
  keepaliveRatio: 0.7,
  receiveP99Ms500: 5,
  /** MariaDB's ack p99 at 2,000 RECEIVE/s (group commit). */
  receiveP99Ms2000Mysql: 20,
  cleanRate: { sqlite: 5000, mysql: 5000 } as Record<Backend, number>,
  e2eP99Ms100: 50,
  fleetPerSec: { sqlite: 1000, mysql: 500 } as Record<Backend, number>,
  idleCpuShare: 0.05,
  idleRssMb: 150,
  coldStartMs: 1000,
} as const;

/** The idle targets for a fleet of `lines` (null: no target at that size). */
export function idleLimit(
  lines: number,
): { cpu: number; rssMb: number } | null {
  if (lines >= 100_000) return { cpu: 0.25, rssMb: 300 };
  if (lines >= 10_000) {
    return { cpu: TARGETS.idleCpuShare, rssMb: TARGETS.idleRssMb };
  }
  return null;
}

/** Milliseconds for display: 3 significant digits, "–" for null. */
export function fmtMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "–";
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** A rate for display, e.g. `12.3k/s`. */
export function fmtRate(perSec: number | null): string {
  if (perSec === null || !Number.isFinite(perSec)) return "–";
  if (perSec >= 1000) return `${(perSec / 1000).toFixed(1)}k/s`;
  return `${Math.round(perSec)}/s`;
}

/** A fraction as a percentage, e.g. `4.2 %`. */
export function fmtPct(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return "–";
  return `${(x * 100).toFixed(1)} %`;
}

function p50p99(s: { p50: number | null; p99: number | null }): string {
  return s.p50 === null ? "–" : `${fmtMs(s.p50)} / ${fmtMs(s.p99)}`;
}

/**
 * goippy's reply latency next to a floor's, and as a percentage of it, e.g.
 * `0.53 / 1.20 ms vs 0.40 / 0.90 ms (132 % / 133 %)`.
 */
export function latencyShare(
  goippy: { p50: number | null; p99: number | null },
  floor: { p50: number | null; p99: number | null },
): string {
  const pct = (a: number | null, b: number | null) =>
    a === null || b === null || !(b > 0) ? "–" : `${Math.round(a / b * 100)} %`;
  return `${fmtMs(goippy.p50)} / ${fmtMs(goippy.p99)} vs ${
    fmtMs(floor.p50)
  } / ${fmtMs(floor.p99)} (${pct(goippy.p50, floor.p50)} / ${
    pct(goippy.p99, floor.p99)
  })`;
}

function stepAt<T extends { rate: number }>(
  steps: T[] | null | undefined,
  rate: number,
): T | undefined {
  return steps?.find((s) => s.rate === rate);
}

/** Lost/resent counts of a step when any, e.g. ` (3 resent, 1 lost)`. */
function receiveTrouble(s: ReceiveStep): string {
  const parts = [];
  if (s.retransmitted > 0) parts.push(`${s.retransmitted} resent`);
  if (s.lost > 0) parts.push(`${s.lost} lost`);
  if (s.achievedRate < s.rate * 0.9) {
    parts.push(`client sent only ${fmtRate(s.achievedRate)}`);
  }
  if (parts.length && typeof s.goippyCpu === "number") {
    parts.push(
      `CPU goippy ${fmtPct(s.goippyCpu)}, client ${
        fmtPct(s.clientCpu ?? null)
      }`,
    );
  }
  if (parts.length && typeof s.goippyDrops === "number") {
    parts.push(`${s.goippyDrops} dropped by the kernel at goippy's socket`);
  }
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function e2eTrouble(s: E2eStep): string {
  return s.received < s.sent ? ` (${s.sent - s.received} missing)` : "";
}

type Cell = { value: string; met: boolean | null };

function row(
  measure: string,
  target: string,
  results: BackendResult[],
  cell: (r: BackendResult) => Cell,
): Row {
  const values = { sqlite: "–", mysql: "–" } as Record<Backend, string>;
  const met = { sqlite: null, mysql: null } as Record<Backend, boolean | null>;
  for (const r of results) {
    const c = cell(r);
    values[r.backend] = c.value;
    met[r.backend] = c.met;
  }
  return { measure, values, target, met };
}

function check(x: number | null | undefined, ok: (x: number) => boolean) {
  return x === null || x === undefined ? null : ok(x);
}

/** The table rows of a run: one per measure, targets checked. */
export function buildRows(results: BackendResult[]): Row[] {
  const t = TARGETS;
  const rows: Row[] = [];
  rows.push(
    row(
      "Keepalives/s vs the Deno echo floor (runtime)",
      "≥ 70 % of floor",
      results,
      (r) => {
        const k = r.keepalive;
        if (!k) return { value: "–", met: null };
        return {
          value: `${fmtPct(k.ratio)} (${fmtRate(k.goippyPerSec)} vs ${
            fmtRate(k.floorPerSec)
          }; p50 / p99 ${latencyShare(k.goippyLatency, k.floorLatency)})`,
          met: check(k.ratio, (x) => x >= t.keepaliveRatio) &&
            k.goippyMissing === 0,
        };
      },
    ),
  );
  rows.push(
    row("Keepalives/s vs the C echo floor (kernel)", "–", results, (r) => {
      const k = r.keepalive;
      const c = k?.kernelFloor;
      if (!k || !c) return { value: k ? "– (no cc)" : "–", met: null };
      return {
        value: `${fmtPct(c.ratio)} (${fmtRate(k.goippyPerSec)} vs ${
          fmtRate(c.perSec)
        }; p50 / p99 ${latencyShare(k.goippyLatency, c.latency)})`,
        met: null,
      };
    }),
  );
  for (const rate of [500, 2000]) {
    rows.push(
      row(
        `RECEIVE → ack p50 / p99 at ${rate}/s`,
        rate === 500 ? "p99 < 5 ms (SQLite)" : "p99 < 20 ms (MariaDB)",
        results,
        (r) => {
          const s = stepAt(r.receive?.fixed, rate);
          if (!s) return { value: "–", met: null };
          const limit = rate === 500 && r.backend === "sqlite"
            ? t.receiveP99Ms500
            : rate === 2000 && r.backend === "mysql"
            ? t.receiveP99Ms2000Mysql
            : null;
          return {
            value: p50p99(s.latency) + receiveTrouble(s),
            met: limit === null
              ? null
              : check(s.latency.p99, (x) => x < limit) && s.lost === 0 &&
                s.retransmitted === 0,
          };
        },
      ),
    );
  }
  rows.push(
    row(
      "Highest RECEIVE rate without resends",
      "≥ 5,000/s",
      results,
      (r) => {
        const rec = r.receive;
        if (!rec) return { value: "–", met: null };
        const v = rec.maxCleanRate;
        const why = rec.stoppedBy === "last-step"
          ? " (highest step)"
          : rec.stoppedBy === "client"
          ? " (client limit)"
          : "";
        const failed = rec.stoppedBy === "retransmission"
          ? rec.steps[rec.steps.length - 1]
          : undefined;
        const next = failed
          ? `; at ${fmtRate(failed.rate)}:${receiveTrouble(failed)}`
          : "";
        return {
          value: (v === null ? "none" + why : `${fmtRate(v)}${why}`) + next,
          met: v === null ? false : v >= t.cleanRate[r.backend],
        };
      },
    ),
  );
  rows.push(
    row(
      "SQLite: datagrams dropped by the kernel in a long RECEIVE run",
      "0 at 10,000/s over 60 s",
      results,
      (r) => {
        const s = r.receive?.sustained;
        if (!s) return { value: "–", met: null };
        return {
          value: `${s.goippyDrops ?? "–"} at ${fmtRate(s.rate)} over ${
            Math.round(s.sent / s.rate)
          } s (${s.sent} sent; ack ${p50p99(s.latency)}${receiveTrouble(s)})`,
          met: s.goippyDrops === null || s.goippyDrops === undefined
            ? null
            : s.goippyDrops === 0,
        };
      },
    ),
  );
  for (const rate of [100, 1000]) {
    rows.push(
      row(
        `RECEIVE → XMPP client p50 / p99 at ${rate}/s`,
        rate === 100 ? "p99 < 50 ms" : "",
        results,
        (r) => {
          const s = stepAt(r.e2e, rate);
          if (!s) return { value: "–", met: null };
          const floor = s.floor ? ` (floor ${p50p99(s.floor)})` : "";
          return {
            value: p50p99(s.latency) + e2eTrouble(s) + floor,
            met: rate === 100
              ? check(s.latency.p99, (x) => x < t.e2eP99Ms100) &&
                s.received === s.sent
              : null,
          };
        },
      ),
    );
  }
  rows.push(row("XMPP → SMS at the module p50 / p99", "", results, (r) => {
    const x = r.xmppToSms;
    if (!x) return { value: "–", met: null };
    const miss = x.transmitted < x.sent
      ? ` (${x.sent - x.transmitted} missing)`
      : "";
    return { value: `${p50p99(x.latency)} at ${x.rate}/s${miss}`, met: null };
  }));
  rows.push(
    row(
      "Outbound across 1,000 lines: SMS/s (enqueue → datagram p50 / p99)",
      "≥ 1,000/s SQLite, ≥ 500/s MariaDB; order kept",
      results,
      (r) => {
        const f = r.fleet;
        if (!f) return { value: "–", met: null };
        const miss = f.transmitted < f.queued
          ? `, ${f.queued - f.transmitted} not sent`
          : "";
        const order = f.outOfOrder > 0 ? `, ${f.outOfOrder} out of order` : "";
        const drops = f.goippyDrops
          ? `, ${f.goippyDrops} dropped by the kernel at goippy's socket`
          : "";
        return {
          value: `${fmtRate(f.perSec)} (${f.transmitted} over ${f.lines} ` +
            `lines; ${p50p99(f.latency)}${miss}${order}${drops})`,
          met: check(f.perSec, (x) => x >= t.fleetPerSec[r.backend]) &&
            f.outOfOrder === 0 && f.transmitted === f.queued,
        };
      },
    ),
  );
  rows.push(
    row(
      "Outbound via the HTTP API at 1,000/s (POST → datagram p50 / p99)",
      "as above; p99 < 50 ms (SQLite)",
      results,
      (r) => {
        const a = r.fleet?.api;
        if (!a) return { value: "–", met: null };
        const miss = a.transmitted < a.posted
          ? `, ${a.posted - a.transmitted} not sent`
          : "";
        const order = a.outOfOrder > 0 ? `, ${a.outOfOrder} out of order` : "";
        const want = t.fleetPerSec[r.backend];
        return {
          value: `${fmtRate(a.perSec)} of ${fmtRate(a.offeredPerSec)} ` +
            `offered (${p50p99(a.latency)}${miss}${order})`,
          met: check(a.perSec, (x) => x >= Math.min(want, a.offeredPerSec)) &&
            (r.backend !== "sqlite" || check(a.latency.p99, (x) => x < 50)) &&
            a.outOfOrder === 0 && a.transmitted === a.posted,
        };
      },
    ),
  );
  rows.push(
    row(
      "Idle lines: CPU (one core; per keepalive)",
      "< 5 % for 10,000; < 25 % for 100,000",
      results,
      (r) => {
        const i = r.idle;
        if (!i) return { value: "–", met: null };
        const host = typeof i.droppedOnHost === "number"
          ? `, ${i.droppedOnHost} on the host`
          : "";
        const dropped = typeof i.droppedByKernel === "number"
          ? ` (${i.droppedByKernel} dropped by the kernel at goippy's socket${host})`
          : "";
        const lost = i.keepalivesLost > 0
          ? `, ${i.keepalivesLost} lost${dropped}`
          : "";
        const per = typeof i.cpuShare === "number" && i.keepalivesOk > 0
          ? `; ${
            Math.round(i.cpuShare * i.windowS / i.keepalivesOk * 1e6)
          } µs per keepalive`
          : "";
        const limit = idleLimit(i.lines);
        return {
          value: `${fmtPct(i.cpuShare)} (${i.lines} lines${lost}${per}` +
            (typeof i.floorCpuShare === "number"
              ? `; echo floor ${fmtPct(i.floorCpuShare)}`
              : "") +
            (typeof i.clientCpuShare === "number"
              ? `; client ${fmtPct(i.clientCpuShare)})`
              : ")"),
          // Lost keepalives are work not done: the share would flatter.
          met: limit
            ? check(i.cpuShare, (x) => x < limit.cpu) &&
              i.keepalivesLost <= i.keepalivesSent * 0.01
            : null,
        };
      },
    ),
  );
  rows.push(
    row(
      "Idle lines: RSS (per line)",
      "< 150 MB for 10,000; < 300 MB for 100,000",
      results,
      (r) => {
        const i = r.idle;
        if (!i) return { value: "–", met: null };
        const perLine = i.rssMb !== null && typeof i.baseRssMb === "number"
          ? `; ${
            Math.round((i.rssMb - i.baseRssMb) * 1024 * 1024 / i.lines)
          } B per line`
          : "";
        const limit = idleLimit(i.lines);
        return {
          value: i.rssMb === null ? "–" : `${i.rssMb.toFixed(0)} MB` +
            (typeof i.baseRssMb === "number"
              ? ` (${i.baseRssMb.toFixed(0)} MB before any line${perLine}` +
                (typeof i.floorRssMb === "number"
                  ? `; echo floor ${i.floorRssMb.toFixed(0)} MB)`
                  : ")")
              : ""),
          met: limit ? check(i.rssMb, (x) => x < limit.rssMb) : null,
        };
      },
    ),
  );
  rows.push(
    row(
      "Cold start with the idle scenario's gateways",
      "< 1 s with 100,000",
      results,
      (r) => {
        const c = r.coldLarge;
        if (!c) return { value: "–", met: null };
        return {
          value: `${
            fmtMs(c.medianMs)
          } (${c.gateways} gateways; median of ${c.samplesMs.length})`,
          met: c.gateways >= 100_000
            ? check(c.medianMs, (x) => x < t.coldStartMs)
            : null,
        };
      },
    ),
  );
  rows.push(
    row("Cold start → first keepalive answered", "< 1 s", results, (r) => {
      const c = r.cold;
      if (!c) return { value: "–", met: null };
      return {
        value: `${fmtMs(c.medianMs)} (median of ${c.samplesMs.length})`,
        met: check(c.medianMs, (x) => x < t.coldStartMs),
      };
    }),
  );
  return rows;
}
