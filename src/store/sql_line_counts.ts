/**
 * How many lines are online, offline and disabled: one aggregate query, so
 * a metrics scrape costs the same with ten lines or a hundred thousand.
 *
 * @module
 */

import type { SqlDriver } from "./sql_driver.ts";
import type { LineCounts } from "./types.ts";

/**
 * See {@linkcode Store.lineCounts}. "Online" is `lineOnline`'s rule
 * (`src/line_online.ts`) in SQL: a known address and a keepalive at or
 * after `onlineSinceMs`.
 */
export async function lineCounts(
  d: SqlDriver,
  onlineSinceMs: number,
): Promise<LineCounts> {
  const online = "s.addr <> '' AND s.last_seen_ms > 0 AND s.last_seen_ms >= ?";
  const rows = await d.all(
    "SELECT COUNT(*) AS known, " +
      "COALESCE(SUM(CASE WHEN g.enabled = 0 THEN 1 ELSE 0 END), 0) AS disabled, " +
      `COALESCE(SUM(CASE WHEN COALESCE(g.enabled, 1) <> 0 AND ${online} ` +
      "THEN 1 ELSE 0 END), 0) AS online " +
      "FROM goippy_gateways g " +
      "LEFT JOIN goippy_state s ON s.goip_id = g.goip_id",
    [onlineSinceMs],
  );
  const r = rows[0] ?? {};
  const known = Number(r.known ?? 0);
  const disabled = Number(r.disabled ?? 0);
  const on = Number(r.online ?? 0);
  return { known, online: on, offline: known - disabled - on, disabled };
}
