/**
 * Markdown rendering of the benchmark table. Pure functions.
 *
 * @module
 */

import type { Row } from "./targets.ts";
import type { Backend } from "./types.ts";

const NAMES: Record<Backend, string> = { sqlite: "SQLite", mysql: "MariaDB" };

/** Escape a table cell (pipes, newlines). */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** "met" / "MISSED" / "–" per backend, e.g. `met / MISSED`. */
export function verdict(
  met: Record<Backend, boolean | null>,
  backends: Backend[],
): string {
  const word = (m: boolean | null) => m === null ? "–" : m ? "met" : "MISSED";
  const words = backends.map((b) => word(met[b]));
  return words.every((w) => w === "–") ? "–" : words.join(" / ");
}

/** A markdown table from a header and rows of cells (cells escaped). */
export function markdownTable(header: string[], rows: string[][]): string {
  const lines = [
    `| ${header.map(cell).join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => {
      const cells = header.map((_, i) => cell(r[i] ?? ""));
      return `| ${cells.join(" | ")} |`;
    }),
  ];
  return lines.join("\n") + "\n";
}

/** The results table: one column per backend, then target and verdict. */
export function renderRows(rows: Row[], backends: Backend[]): string {
  const header = [
    "Measure",
    ...backends.map((b) => NAMES[b]),
    "Target",
    `Met (${backends.map((b) => NAMES[b]).join(" / ")})`,
  ];
  return markdownTable(
    header,
    rows.map((r) => [
      r.measure,
      ...backends.map((b) => r.values[b]),
      r.target || "–",
      verdict(r.met, backends),
    ]),
  );
}
