/**
 * The spool in `--status`: read from the spool file itself (read-only), so
 * it shows while the store is away too.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import { spoolPath } from "../spool/path.ts";
import { SpoolFile } from "../spool/spool_file.ts";
import { formatSeen } from "./table.ts";

/** One line about the spool, or null when it is off, absent or empty. */
export function spoolStatus(config: Config, nowMs: number): string | null {
  const path = spoolPath(config);
  if (path === null) return null;
  try {
    Deno.statSync(path);
  } catch {
    return null;
  }
  let file: SpoolFile | null = null;
  try {
    file = new SpoolFile(path, { readOnly: true });
    const waiting = file.depth();
    const aside = file.setAside();
    if (waiting + aside === 0) return null;
    return `spool: ${waiting} events waiting for the store in ${path}` +
      ` (oldest ${formatSeen(file.oldestAtMs() ?? 0, nowMs)})` +
      (aside ? `; ${aside} set aside after failed replays` : "");
  } catch (err) {
    if (/no such table/.test(String(err))) return null;
    return `spool: cannot read ${path}: ${(err as Error).message}`;
  } finally {
    file?.close();
  }
}
