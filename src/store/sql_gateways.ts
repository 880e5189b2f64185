/**
 * Gateways (`goippy_gateways`) and their version token for
 * {@linkcode SqlStore}; line states are in `sql_line_state.ts`.
 *
 * @module
 */

import { GATEWAY_COLS, STATE_COLS, toGateway, toLineState } from "./rows.ts";
import type { Row, SqlConn, SqlDriver } from "./sql_driver.ts";
import {
  type Gateway,
  type GatewayWithState,
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
  await markGatewaysChanged(d);
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
export async function removeGateway(
  d: SqlDriver,
  ext: string,
): Promise<boolean> {
  const removed = await d.transaction(async (c) => {
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
  if (removed) await markGatewaysChanged(d);
  return removed;
}

/** See {@linkcode Store.setGatewayEnabled}. */
export async function setGatewayEnabled(
  d: SqlDriver,
  ext: string,
  enabled: boolean,
): Promise<boolean> {
  const r = await d.run(
    "UPDATE goippy_gateways SET enabled = ? WHERE ext = ?",
    [
      enabled ? 1 : 0,
      ext,
    ],
  );
  // Rows found, changed or not (SQLite; mysql2 asks for FOUND_ROWS).
  if (r.changes === 0) return false;
  await markGatewaysChanged(d);
  return true;
}

/** See {@linkcode Store.setGatewayJid}. */
export async function setGatewayJid(
  d: SqlDriver,
  ext: string,
  jid: string | null,
): Promise<boolean> {
  let r;
  try {
    r = await d.run("UPDATE goippy_gateways SET xmpp_jid = ? WHERE ext = ?", [
      jid,
      ext,
    ]);
  } catch (err) {
    if (!d.isUniqueViolation(err)) throw err;
    throw new StoreConflictError(`${jid} is registered to another line`);
  }
  if (r.changes === 0) return false;
  await markGatewaysChanged(d);
  return true;
}

/** `goippy_meta` key of the gateways version. */
const VERSION_KEY = "gateways_version";

/**
 * Give the gateways a new version (see {@linkcode Store.gatewaysVersion}):
 * called after every change to `goippy_gateways` that goippy makes.
 */
export async function markGatewaysChanged(d: SqlDriver | SqlConn) {
  const token = `${Date.now()}-${crypto.randomUUID()}`;
  const update = () =>
    d.run("UPDATE goippy_meta SET meta_value = ? WHERE meta_key = ?", [
      token,
      VERSION_KEY,
    ]);
  if ((await update()).changes > 0) return;
  try {
    await d.run(
      "INSERT INTO goippy_meta (meta_key, meta_value) VALUES (?, ?)",
      [VERSION_KEY, token],
    );
  } catch {
    // Another writer inserted it first: write this token over it.
    await update();
  }
}

/** See {@linkcode Store.gatewaysVersion}. */
export async function gatewaysVersion(d: SqlDriver): Promise<string | null> {
  const rows = await d.all(
    "SELECT meta_value FROM goippy_meta WHERE meta_key = ?",
    [VERSION_KEY],
  );
  return rows.length ? String(rows[0].meta_value) : null;
}

/** A gateway by one of its unique columns. */
export async function gatewayBy(
  d: SqlDriver,
  col: "ext" | "goip_id" | "xmpp_jid",
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
  return rows.map(withState);
}

/** See {@linkcode Store.gatewaysPage}. */
export async function gatewaysPage(
  d: SqlDriver,
  afterGoipId: string,
  limit: number,
): Promise<GatewayWithState[]> {
  // An integer in the text (as elsewhere): MySQL's prepared LIMIT ? is picky.
  const n = Math.max(1, Math.floor(limit));
  const rows = await d.all(
    `SELECT ${GATEWAY_COLS}, ${STATE_COLS} FROM goippy_gateways g ` +
      "LEFT JOIN goippy_state s ON s.goip_id = g.goip_id " +
      `WHERE g.goip_id > ? ORDER BY g.goip_id LIMIT ${n}`,
    [afterGoipId],
  );
  return rows.map(withState);
}

function withState(r: Row): GatewayWithState {
  return {
    ...toGateway(r),
    state: r.s_goip_id === null || r.s_goip_id === undefined
      ? null
      : toLineState(r),
  };
}
