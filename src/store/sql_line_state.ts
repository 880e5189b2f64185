/**
 * Line state (`goippy_state`) for {@linkcode SqlStore}. A state never
 * replaces a newer one (`last_seen_ms`): a batch of one instance written
 * after another instance took the line (a virtual IP moved) must not hand
 * the line, its owner and address, back to the instance it left. Where the driver
 * offers JSON rows (MySQL 8.0.4+, MariaDB 10.6+) a batch of states is
 * written with one `UPDATE … JOIN <JSON rows>`, so thousands of lines cost a
 * few round trips, not two each; elsewhere (SQLite, older servers) the same
 * result comes one row at a time.
 *
 * @module
 */

import { markGatewaysChanged } from "./sql_gateways.ts";
import { clip, STATE_COLS, toLineState } from "./rows.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import type { LineState } from "./types.ts";

/** States per bulk statement (bounds the JSON parameter to ~300 KB). */
const BULK_CHUNK = 1000;

/** See {@linkcode Store.saveLineState}. */
export function saveLineState(d: SqlDriver, s: LineState): Promise<void> {
  return d.transaction((c) => saveOne(c, s));
}

/** The driver's JSON rows source (see {@linkcode SqlDriver.jsonRows}). */
export type JsonRows = (columns: [string, string][]) => string;

/**
 * See {@linkcode Store.saveLineStates}: one transaction for many lines; the
 * last state of a line in `list` wins. With `jsonRows` (the driver's, when
 * the store wants batch statements) in chunks of one statement each.
 */
export function saveLineStates(
  d: SqlDriver,
  list: LineState[],
  jsonRows: JsonRows | null,
): Promise<void> {
  const byLine = new Map(list.map((s) => [clip(s.goipId, 64), s]));
  const states = [...byLine.values()];
  if (states.length === 0) return Promise.resolve();
  return d.transaction(async (c) => {
    if (!jsonRows) {
      for (const s of states) await saveOne(c, s);
      return;
    }
    for (let i = 0; i < states.length; i += BULK_CHUNK) {
      await saveChunk(c, states.slice(i, i + BULK_CHUNK), jsonRows);
    }
  });
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

/** See {@linkcode Store.lineOwners}. */
export async function lineOwners(
  d: SqlDriver,
): Promise<Record<string, number>> {
  const rows = await d.all(
    "SELECT owner_instance, COUNT(*) AS n FROM goippy_state " +
      "WHERE owner_instance IS NOT NULL GROUP BY owner_instance",
  );
  return Object.fromEntries(
    rows.map((r) => [String(r.owner_instance), Number(r.n)]),
  );
}

/** Column values of a state, clipped to the original VARCHAR widths. */
function values(s: LineState) {
  return {
    goipId: clip(s.goipId, 64),
    ext: clip(s.ext, 32),
    addr: clip(s.addr, 64),
    seen: s.lastSeenMs,
    sig: s.signal,
    gsm: clip(s.gsmStatus, 32),
    voip: clip(s.voipStatus, 32),
    voipState: clip(s.voipState, 64),
    remain: s.remainTime,
    provider: clip(s.provider, 64),
    disabled: s.disableStatus === null ? null : s.disableStatus ? 1 : 0,
    msisdn: clip(s.msisdn, 32),
    imei: clip(s.imei, 32),
    imsi: clip(s.imsi, 32),
    iccid: clip(s.iccid, 32),
    owner: clip(s.owner ?? "", 128),
  };
}

type Values = ReturnType<typeof values>;

/**
 * JSON column of each value in the bulk document, with its SQL type (nulls
 * are left out of the document: a missing path reads as NULL).
 */
const JSON_COLS: [keyof Values, string][] = [
  ["goipId", "VARCHAR(64)"],
  ["ext", "VARCHAR(32)"],
  ["addr", "VARCHAR(64)"],
  ["seen", "BIGINT"],
  ["sig", "INT"],
  ["gsm", "VARCHAR(32)"],
  ["voip", "VARCHAR(32)"],
  ["voipState", "VARCHAR(64)"],
  ["remain", "INT"],
  ["provider", "VARCHAR(64)"],
  ["disabled", "INT"],
  ["msisdn", "VARCHAR(32)"],
  ["imei", "VARCHAR(32)"],
  ["imsi", "VARCHAR(32)"],
  ["iccid", "VARCHAR(32)"],
  ["owner", "VARCHAR(128)"],
];

/** `SET` list of the state update of alias `t` from `j`. */
function stateAssignments(t: string): string {
  const keep = (col: string, v: string) =>
    `${col} = CASE WHEN j.${v} <> '' THEN j.${v} ELSE ${t}.${col} END`;
  return [
    "ext = j.ext",
    "addr = j.addr",
    "last_seen_ms = j.seen",
    "gsm_signal = j.sig",
    "gsm_status = j.gsm",
    "voip_status = j.voip",
    "voip_state = j.voipState",
    "remain_time = j.remain",
    "provider = j.provider",
    "disable_status = j.disabled",
    keep("msisdn", "msisdn"),
    keep("imei", "imei"),
    keep("imsi", "imsi"),
    keep("iccid", "iccid"),
    keep("owner_instance", "owner"),
    "updated_at = CURRENT_TIMESTAMP",
  ].map((a) => `${t}.${a}`).join(", ");
}

/** The JSON document of some rows (null values left out). */
function document(rows: Record<string, string | number | null>[]): string {
  return JSON.stringify(rows.map((v) => {
    const o: Record<string, string | number> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) o[k] = x;
    return o;
  }));
}

async function saveChunk(
  c: SqlConn,
  states: LineState[],
  jsonRows: JsonRows,
): Promise<void> {
  const rows = states.map(values);
  const updated = await c.run(
    `UPDATE goippy_state s JOIN ${jsonRows(JSON_COLS)}
       ON s.goip_id = j.goipId COLLATE utf8mb4_bin
     SET ${stateAssignments("s")}
     WHERE s.last_seen_ms <= j.seen`,
    [document(rows)],
  );
  if (updated.changes < rows.length) {
    // Lines without a row yet (rare: a line's first state is written
    // alone), or whose stored state is newer (another instance's).
    for (const s of states) {
      if (!await exists(c, clip(s.goipId, 64))) await insertOne(c, values(s));
    }
  }
  const numbered = rows.filter((v) => v.msisdn !== "");
  if (numbered.length === 0) return;
  const doc = document(
    numbered.map((v) => ({ goipId: v.goipId, msisdn: v.msisdn })),
  );
  const learned = await c.run(
    `UPDATE goippy_gateways g JOIN ${
      jsonRows([["goipId", "VARCHAR(64)"], ["msisdn", "VARCHAR(32)"]])
    } ON g.goip_id = j.goipId COLLATE utf8mb4_bin
     SET g.msisdn = j.msisdn
     WHERE g.msisdn IS NULL OR g.msisdn <> j.msisdn COLLATE utf8mb4_bin`,
    [doc],
  );
  if (learned.changes > 0) await markGatewaysChanged(c);
}

async function saveOne(c: SqlConn, s: LineState): Promise<void> {
  const v = values(s);
  // Rows found, changed or not (SQLite; mysql2 asks for FOUND_ROWS): none
  // means the line has no row yet.
  const updated = await c.run(
    `UPDATE goippy_state SET ext = ?, addr = ?, last_seen_ms = ?,
      gsm_signal = ?, gsm_status = ?, voip_status = ?, voip_state = ?,
      remain_time = ?, provider = ?, disable_status = ?,
      msisdn = CASE WHEN ? <> '' THEN ? ELSE msisdn END,
      imei = CASE WHEN ? <> '' THEN ? ELSE imei END,
      imsi = CASE WHEN ? <> '' THEN ? ELSE imsi END,
      iccid = CASE WHEN ? <> '' THEN ? ELSE iccid END,
      owner_instance = CASE WHEN ? <> '' THEN ? ELSE owner_instance END,
      updated_at = CURRENT_TIMESTAMP
     WHERE goip_id = ? AND last_seen_ms <= ?`,
    [
      ...written(v),
      ...[v.msisdn, v.imei, v.imsi, v.iccid, v.owner].flatMap((x) => [x, x]),
      v.goipId,
      v.seen,
    ],
  );
  if (updated.changes === 0 && !await exists(c, v.goipId)) {
    await insertOne(c, v);
  }
  if (v.msisdn !== "") {
    const learned = await c.run(
      `UPDATE goippy_gateways SET msisdn = ?
       WHERE goip_id = ? AND (msisdn IS NULL OR msisdn <> ?)`,
      [v.msisdn, v.goipId, v.msisdn],
    );
    if (learned.changes > 0) await markGatewaysChanged(c);
  }
}

async function exists(c: SqlConn, goipId: string): Promise<boolean> {
  const rows = await c.all("SELECT id FROM goippy_state WHERE goip_id = ?", [
    goipId,
  ]);
  return rows.length > 0;
}

async function insertOne(c: SqlConn, v: Values): Promise<void> {
  await c.run(
    `INSERT INTO goippy_state (ext, addr, last_seen_ms, gsm_signal,
      gsm_status, voip_status, voip_state, remain_time, provider,
      disable_status, msisdn, imei, imsi, iccid, owner_instance, goip_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      ...written(v),
      v.msisdn,
      v.imei,
      v.imsi,
      v.iccid,
      v.owner || null,
      v.goipId,
    ],
  );
}

/** The values written as they are (ext … disable_status), in column order. */
function written(v: Values) {
  return [
    v.ext,
    v.addr,
    v.seen,
    v.sig,
    v.gsm,
    v.voip,
    v.voipState,
    v.remain,
    v.provider,
    v.disabled,
  ];
}
