/**
 * SMS handed to the GoIPs (`goippy_sends`), counted for the per-line send
 * limits and pacing, and the per-gateway overrides of those settings, for
 * {@linkcode SqlStore}.
 *
 * @module
 */

import type { Param, SqlConn, SqlDriver } from "./sql_driver.ts";
import type {
  GatewayLimits,
  SendCounts,
  SendUsage,
  UsageQuery,
} from "./types.ts";
import { markGatewaysChanged } from "./sql_gateways.ts";

/** See {@linkcode Store.recordSend}. */
export async function recordSend(
  d: SqlDriver,
  outboxId: number,
  goipId: string,
  number: string,
  nowMs: number,
): Promise<void> {
  // Keyed on the outbox row: an SMS tried again after the GoIP refused it
  // counts once.
  await d.run(
    `${d.insertIgnore} INTO goippy_sends (outbox_id, goip_id, dest_num, ` +
      "handed_ms) VALUES (?, ?, ?, ?)",
    [outboxId, goipId, number, nowMs],
  );
}

const QUEUED_SMS =
  "SELECT dest_num FROM goippy_outbox WHERE goip_id = ? AND kind = 'sms' " +
  "AND state = 'queued'";

/** See {@linkcode Store.sendUsage}. */
export async function sendUsage(
  d: SqlConn,
  goipId: string,
  q: UsageQuery,
): Promise<SendUsage> {
  const count = async (sql: string, params: Param[]) =>
    Number((await d.all(sql, params))[0]?.n ?? 0);
  const since = (fromMs: number) =>
    count(
      "SELECT COUNT(*) AS n FROM goippy_sends WHERE goip_id = ? AND handed_ms >= ?",
      [goipId, fromMs],
    );
  const times = await d.all(
    "SELECT MIN(CASE WHEN handed_ms >= ? THEN handed_ms END) AS oldest, " +
      "MAX(handed_ms) AS last FROM goippy_sends WHERE goip_id = ?",
    [q.hourFromMs, goipId],
  );
  const queued = q.withQueued
    ? await count(
      "SELECT COUNT(*) AS n FROM goippy_outbox WHERE goip_id = ? " +
        "AND kind = 'sms' AND state = 'queued'",
      [goipId],
    )
    : 0;
  const sent = "SELECT dest_num FROM goippy_sends WHERE goip_id = ? " +
    "AND handed_ms >= ?";
  const numbers = q.withQueued ? `${sent} UNION ${QUEUED_SMS}` : sent;
  const numParams: Param[] = q.withQueued
    ? [goipId, q.monthFromMs, goipId]
    : [goipId, q.monthFromMs];
  const recipients = await count(
    `SELECT COUNT(DISTINCT dest_num) AS n FROM (${numbers}) t`,
    numParams,
  );
  const known = await d.all(
    `SELECT dest_num FROM (${numbers}) t WHERE dest_num = ? LIMIT 1`,
    [...numParams, q.number],
  );
  const t = times[0] ?? {};
  return {
    hour: (await since(q.hourFromMs)) + queued,
    day: (await since(q.dayFromMs)) + queued,
    recipients,
    knownRecipient: known.length > 0,
    oldestInHourMs: t.oldest == null ? null : Number(t.oldest),
    lastHandedMs: t.last == null ? null : Number(t.last),
  };
}

/** See {@linkcode Store.sendCounts}. */
export async function sendCounts(
  d: SqlDriver,
  q: Omit<UsageQuery, "number" | "withQueued">,
): Promise<Map<string, SendCounts>> {
  const out = new Map<string, SendCounts>();
  const entry = (id: unknown) => {
    const key = String(id);
    let e = out.get(key);
    if (!e) out.set(key, e = { hour: 0, day: 0, recipients: 0 });
    return e;
  };
  const counts = await d.all(
    "SELECT goip_id, SUM(CASE WHEN handed_ms >= ? THEN 1 ELSE 0 END) AS h, " +
      "SUM(CASE WHEN handed_ms >= ? THEN 1 ELSE 0 END) AS d " +
      "FROM goippy_sends WHERE handed_ms >= ? GROUP BY goip_id",
    [q.hourFromMs, q.dayFromMs, Math.min(q.hourFromMs, q.dayFromMs)],
  );
  for (const r of counts) {
    Object.assign(entry(r.goip_id), { hour: Number(r.h), day: Number(r.d) });
  }
  const recipients = await d.all(
    "SELECT goip_id, COUNT(DISTINCT dest_num) AS n FROM goippy_sends " +
      "WHERE handed_ms >= ? GROUP BY goip_id",
    [q.monthFromMs],
  );
  for (const r of recipients) entry(r.goip_id).recipients = Number(r.n);
  return out;
}

const LIMIT_COLS: [keyof GatewayLimits, string][] = [
  ["hour", "limit_hour"],
  ["day", "limit_day"],
  ["recipients", "limit_recipients"],
  ["interval", "send_interval"],
  ["jitter", "send_jitter"],
];

/** See {@linkcode Store.setGatewayLimits}. */
export async function setGatewayLimits(
  d: SqlDriver,
  ext: string,
  change: Partial<GatewayLimits>,
): Promise<boolean> {
  const sets: string[] = [];
  const params: Param[] = [];
  for (const [k, col] of LIMIT_COLS) {
    if (change[k] === undefined) continue;
    sets.push(`${col} = ?`);
    params.push(change[k]);
  }
  const found = await d.all(
    "SELECT id FROM goippy_gateways WHERE ext = ?",
    [ext],
  );
  if (!found.length) return false;
  if (!sets.length) return true;
  await d.run(
    `UPDATE goippy_gateways SET ${sets.join(", ")} WHERE ext = ?`,
    [...params, ext],
  );
  await markGatewaysChanged(d);
  return true;
}

/** The month limit looks back at most this far (a calendar month and a day). */
export const SENDS_KEPT_MS = 32 * 86_400_000;

/** Forget hand-overs before `beforeMs`; returns rows removed. */
export async function forgetSends(
  d: SqlDriver,
  beforeMs: number,
): Promise<number> {
  const r = await d.run("DELETE FROM goippy_sends WHERE handed_ms < ?", [
    beforeMs,
  ]);
  return r.changes;
}
