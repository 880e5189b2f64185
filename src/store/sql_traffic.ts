/**
 * The traffic log (`goippy_log`) for {@linkcode SqlStore}.
 *
 * @module
 */

import { clip } from "./rows.ts";
import type { SqlDriver } from "./sql_driver.ts";
import type { TrafficEntry } from "./types.ts";

/** See {@linkcode Store.logTraffic}. */
export async function logTraffic(
  d: SqlDriver,
  entry: TrafficEntry,
  nowMs: number,
): Promise<void> {
  await d.run(LOG_INSERT, logParams(entry, nowMs));
}

/** Insert one traffic log row; parameters from {@linkcode logParams}. */
export const LOG_INSERT =
  "INSERT INTO goippy_log (dir, kind, goip_id, ext, msisdn, xmpp_jid, body, " +
  "status, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

/** Parameters of {@linkcode LOG_INSERT} for `e`, written at `nowMs`. */
export function logParams(e: TrafficEntry, nowMs: number) {
  return [
    e.dir,
    clip(e.kind, 16),
    clip(e.goipId, 64),
    clip(e.ext, 32),
    clip(e.number, 32),
    clip(e.xmppJid, 255),
    e.body,
    clip(e.status, 64),
    nowMs,
  ];
}
