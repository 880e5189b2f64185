/**
 * The markdown report of a run and the result file names. Pure.
 *
 * @module
 */

import { renderRows } from "./table.ts";
import { buildRows } from "./targets.ts";
import type { BenchRun } from "./types.ts";

/** `2026-11-29T05:10:00.123Z` → `2026-11-29T05-10-00Z` (safe in file names). */
export function fileStamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
}

/** The whole report: heading, table, notes, how to reproduce. */
export function renderReport(run: BenchRun): string {
  const backends = run.backends.map((b) => b.backend);
  const lines = [
    `### goippy benchmark (${run.mode}, ${run.startedAt})`,
    "",
    `${run.host.cpus} CPUs, ${run.host.os}, Deno ${run.host.deno} (V8 ${run.host.v8}); ` +
    `run took ${Math.round(run.durationS)} s. Loopback only; goippy and the ` +
    `load generator share the machine, so ratios mean more than absolute figures.`,
    "",
    renderRows(buildRows(run.backends), backends),
  ];
  lines.push(
    "How measured: keepalives — same client (the simulator's fleet, 64 in " +
      "flight) against goippy and two floors, each its own process: a Deno " +
      "UDP echo that does not await a send before the next receive (the " +
      "runtime's floor) and a C recvfrom/sendto echo built with cc (the " +
      "kernel's); alternating rounds, median ratio. RECEIVE — " +
      "open-loop paced over 8 simulated channels that resend after 3 s like " +
      "devices; a run is clean when no RECEIVE needed a resend. XMPP — real " +
      "Prosody and xmpp.js client; the floor is another client's message to " +
      "the same user. Idle — 10,000 lines (100,000 in the full run), one " +
      "keepalive each per 30 s, more than 1 % lost misses the target, CPU " +
      "from /proc utime+stime over the window; floor = the echo server in " +
      "its own process under an identical fleet over the same window.",
    "",
  );
  const notes = run.backends.flatMap((b) =>
    b.notes.map((n) => `- ${b.backend}: ${n.split("\n")[0]}`)
  );
  if (notes.length) lines.push("Notes:", "", ...notes, "");
  lines.push(
    `Reproduce: \`deno task bench${run.mode === "quick" ? " --quick" : ""}\``,
    "",
  );
  return lines.join("\n");
}
