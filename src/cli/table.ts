/**
 * Plain text tables and times for the admin commands. Pure.
 *
 * @module
 */

/** Columns padded to their widest cell; empty cells print as "-". */
export function formatTable(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => c === "" ? "-" : c))];
  const widths = headers.map((_, i) =>
    Math.max(...cells.map((r) => [...(r[i] ?? "")].length))
  );
  return cells.map((r) =>
    r.map((c, i) =>
      i === r.length - 1 ? c : c + " ".repeat(widths[i] - [...c].length)
    ).join("  ")
  ).join("\n");
}

/** `2026-11-29 04:40:30Z (3m ago)`, or `never` for 0. */
export function formatSeen(ms: number, nowMs: number): string {
  if (!ms) return "never";
  const when = new Date(ms).toISOString().replace("T", " ").replace(
    /\.\d+Z$/,
    "Z",
  );
  return `${when} (${formatAge(nowMs - ms)} ago)`;
}

/** A short age: `42s`, `5m`, `3h`, `2d`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
