/**
 * Gateways (`goippy_gateways`) and line state (`goippy_state`) for
 * {@linkcode SqlStore}.
 *
 * @module
 */

import {
  clip,
  GATEWAY_COLS,
  STATE_COLS,
  toGateway,
  toLineState,
} from "./rows.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import {
  type Gateway,
  type GatewayWithState,
  type LineState,
  type NewGateway,
  StoreConflictError,
} from "./types.ts";

/** See {@linkcode Store.addGateway}. */
export async function addGateway(
  d: SqlDriver,
  g: NewGateway,
): Promise<Gateway> {
  const goipId = g.goipId ?? `goippy_${g.ext}`;
  const allow = g.allowRegex ?? ".*";
  for (
    const [name, v, max] of [
      ["ext", g.ext, 32],
      ["goip_id", goipId, 64],
      ["password", g.goipPass, 64],
      ["allow_regex", allow, 255],
    ] as const
  ) {
    if (Array.from(v).length > max) {
      throw new RangeError(`${name} is longer than ${max} characters`);
    }
  }
  await conflicts(d, g.ext, goipId);
  try {
    await d.run(
      "INSERT INTO goippy_gateways (ext, goip_id, goip_pass, channel, msisdn, " +
        "allow_regex, enabled) VALUES (?, ?, ?, ?, '', ?, 1)",
      [g.ext, goipId, g.goipPass, g.channel ?? null, allow],
    );
  } catch (err) {
    if (!d.isUniqueViolation(err)) throw err;
    await conflicts(d, g.ext, goipId);
    throw new StoreConflictError(`gateway ${g.ext} exists already`);
  }
  return (await gatewayBy(d, "ext", g.ext))!;
}

async function conflicts(
  d: SqlDriver,
  ext: string,
  goipId: string,
): Promise<void> {
  const rows = await d.all(
    "SELECT ext, goip_id FROM goippy_gateways WHERE ext = ? OR goip_id = ?",
    [ext, goipId],
  );
  if (rows.some((r) => r.ext === ext)) {
    throw new StoreConflictError(`a gateway with ext ${ext} exists already`);
  }
  if (rows.length) {
    throw new StoreConflictError(
      `goip_id ${goipId} is used by the gateway with ext ${rows[0].ext}`,
    );
  }
}

/** See {@linkcode Store.removeGateway}. */
export function removeGateway(d: SqlDriver, ext: string): Promise<boolean> {
  return d.transaction(async (c) => {
    const g = await c.all(
      "SELECT goip_id FROM goippy_gateways WHERE ext = ?",
      [ext],
    );
    if (!g.length) return false;
    await c.run("DELETE FROM goippy_gateways WHERE ext = ?", [ext]);
    await c.run("DELETE FROM goippy_state WHERE goip_id = ?", [
      String(g[0].goip_id),
    ]);
    return true;
  });
}

/** See {@linkcode Store.setGatewayEnabled}. */
export async function setGatewayEnabled(
  d: SqlDriver,
  ext: string,
  enabled: boolean,
): Promise<boolean> {
  await d.run("UPDATE goippy_gateways SET enabled = ? WHERE ext = ?", [
    enabled ? 1 : 0,
    ext,
  ]);
  // MySQL counts unchanged rows as 0 changes: ask whether the row exists.
  return (await gatewayBy(d, "ext", ext)) !== undefined;
}

/** A gateway by one of its unique columns. */
export async function gatewayBy(
  d: SqlDriver,
  col: "ext" | "goip_id",
  v: string,
): Promise<Gateway | undefined> {
  const rows = await d.all(
    `SELECT ${GATEWAY_COLS} FROM goippy_gateways g WHERE g.${col} = ?`,
    [v],
  );
  return rows.length ? toGateway(rows[0]) : undefined;
}

/** See {@linkcode Store.listGateways}. */
export async function listGateways(d: SqlDriver): Promise<GatewayWithState[]> {
  const rows = await d.all(
    `SELECT ${GATEWAY_COLS}, ${STATE_COLS} FROM goippy_gateways g ` +
      "LEFT JOIN goippy_state s ON s.goip_id = g.goip_id ORDER BY g.ext",
  );
  return rows.map((r) => ({
    ...toGateway(r),
    state: r.s_goip_id === null || r.s_goip_id === undefined
      ? null
      : toLineState(r),
  }));
}

/** See {@linkcode Store.saveLineState}. */
export function saveLineState(d: SqlDriver, s: LineState): Promise<void> {
  return d.transaction((c) => saveOne(c, s));
}

/** See {@linkcode Store.saveLineStates}: one transaction for many lines. */
export function saveLineStates(
  d: SqlDriver,
  list: LineState[],
): Promise<void> {
  return d.transaction(async (c) => {
    for (const s of list) await saveOne(c, s);
  });
}

async function saveOne(c: SqlConn, s: LineState): Promise<void> {
  const v = [
    clip(s.ext, 32),
    clip(s.addr, 64),
    s.lastSeenMs,
    s.signal,
    clip(s.gsmStatus, 32),
    clip(s.voipStatus, 32),
    clip(s.voipState, 64),
    s.remainTime,
    clip(s.provider, 64),
    s.disableStatus === null ? null : s.disableStatus ? 1 : 0,
  ];
  const keep = [s.msisdn, s.imei, s.imsi, s.iccid].map((x) => clip(x, 32));
  const goipId = clip(s.goipId, 64);
  const exists = await c.all(
    "SELECT id FROM goippy_state WHERE goip_id = ?",
    [goipId],
  );
  if (exists.length) {
    await c.run(
      `UPDATE goippy_state SET ext = ?, addr = ?, last_seen_ms = ?,
        gsm_signal = ?, gsm_status = ?, voip_status = ?, voip_state = ?,
        remain_time = ?, provider = ?, disable_status = ?,
        msisdn = CASE WHEN ? <> '' THEN ? ELSE msisdn END,
        imei = CASE WHEN ? <> '' THEN ? ELSE imei END,
        imsi = CASE WHEN ? <> '' THEN ? ELSE imsi END,
        iccid = CASE WHEN ? <> '' THEN ? ELSE iccid END,
        updated_at = CURRENT_TIMESTAMP WHERE goip_id = ?`,
      [...v, ...keep.flatMap((x) => [x, x]), goipId],
    );
  } else {
    await c.run(
      `INSERT INTO goippy_state (ext, addr, last_seen_ms, gsm_signal,
        gsm_status, voip_status, voip_state, remain_time, provider,
        disable_status, msisdn, imei, imsi, iccid, goip_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...v, ...keep, goipId],
    );
  }
  if (keep[0] !== "") {
    await c.run("UPDATE goippy_gateways SET msisdn = ? WHERE goip_id = ?", [
      keep[0],
      goipId,
    ]);
  }
}

/** See {@linkcode Store.lineState}. */
export async function lineState(
  d: SqlDriver,
  goipId: string,
): Promise<LineState | undefined> {
  const rows = await d.all(
    `SELECT ${STATE_COLS} FROM goippy_state s WHERE s.goip_id = ?`,
    [goipId],
  );
  return rows.length ? toLineState(rows[0]) : undefined;
}
