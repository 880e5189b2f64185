/**
 * Database rows → the shapes of `types.ts`, identical for both dialects
 * (MySQL's TINYINT(1) and SQLite's 0/1 become booleans, NULL text becomes "").
 *
 * @module
 */

import type { Row } from "./sql_driver.ts";
import type {
  CallRecord,
  Gateway,
  GatewayLimits,
  InboxItem,
  LineState,
  OutboxItem,
  OutState,
} from "./types.ts";

/** Text of a column ("" for NULL). */
export function str(v: unknown): string {
  return v === null || v === undefined ? "" : String(v);
}

/** Number of a column (0 for NULL). */
export function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

/** Number of a column, or null for NULL. */
export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** Boolean of a 0/1 column, or null for NULL. */
export function boolOrNull(v: unknown): boolean | null {
  return v === null || v === undefined ? null : Number(v) !== 0;
}

/**
 * Cut `s` to at most `max` characters (code points, as VARCHAR counts them),
 * for device-supplied values going into the original VARCHAR columns.
 */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return Array.from(s).slice(0, max).join("");
}

/** Columns selected for a gateway. */
export const GATEWAY_COLS =
  "g.id, g.ext, g.goip_id, g.goip_pass, g.channel, g.msisdn, g.allow_regex, g.enabled, " +
  "g.limit_hour, g.limit_day, g.limit_recipients, g.send_interval, g.send_jitter, " +
  "g.xmpp_jid";

/** A `goippy_gateways` row. */
export function toGateway(r: Row): Gateway {
  return {
    id: num(r.id),
    ext: str(r.ext),
    goipId: str(r.goip_id),
    goipPass: str(r.goip_pass),
    channel: numOrNull(r.channel),
    msisdn: str(r.msisdn),
    allowRegex: r.allow_regex === null || r.allow_regex === undefined
      ? ".*"
      : String(r.allow_regex),
    enabled: r.enabled === null || r.enabled === undefined
      ? true
      : Number(r.enabled) !== 0,
    ...gatewayLimits(r),
    ...(r.xmpp_jid === null || r.xmpp_jid === undefined
      ? {}
      : { xmppJid: String(r.xmpp_jid) }),
  };
}

/** The overrides of a gateway row; nothing when it has none. */
function gatewayLimits(r: Row): { limits?: GatewayLimits } {
  const limits = {
    hour: numOrNull(r.limit_hour),
    day: numOrNull(r.limit_day),
    recipients: numOrNull(r.limit_recipients),
    interval: numOrNull(r.send_interval),
    jitter: numOrNull(r.send_jitter),
  };
  return Object.values(limits).some((v) => v !== null) ? { limits } : {};
}

/** Columns selected for a line state (prefix `s_` avoids clashes in joins). */
export const STATE_COLS = [
  "goip_id",
  "ext",
  "msisdn",
  "addr",
  "last_seen_ms",
  "gsm_signal",
  "gsm_status",
  "voip_status",
  "voip_state",
  "remain_time",
  "provider",
  "disable_status",
  "imei",
  "imsi",
  "iccid",
  "owner_instance",
].map((c) => `s.${c} AS s_${c}`).join(", ");

/** A `goippy_state` row selected with {@linkcode STATE_COLS}. */
export function toLineState(r: Row): LineState {
  return {
    goipId: str(r.s_goip_id),
    ext: str(r.s_ext),
    msisdn: str(r.s_msisdn),
    addr: str(r.s_addr),
    lastSeenMs: num(r.s_last_seen_ms),
    signal: numOrNull(r.s_gsm_signal),
    gsmStatus: str(r.s_gsm_status),
    voipStatus: str(r.s_voip_status),
    voipState: str(r.s_voip_state),
    remainTime: numOrNull(r.s_remain_time),
    provider: str(r.s_provider),
    disableStatus: boolOrNull(r.s_disable_status),
    imei: str(r.s_imei),
    imsi: str(r.s_imsi),
    iccid: str(r.s_iccid),
    // Absent rather than "" when none: states saved without an owner
    // (before several instances) read back as they were written.
    ...(str(r.s_owner_instance) ? { owner: str(r.s_owner_instance) } : {}),
  };
}

/** A `goippy_inbox` row. */
export function toInbox(r: Row): InboxItem {
  return {
    id: num(r.id),
    createdMs: num(r.created_ms),
    kind: str(r.kind) as InboxItem["kind"],
    fromJid: str(r.from_jid),
    toJid: str(r.to_jid),
    body: str(r.body),
    refId: str(r.ref_id),
    goipId: str(r.goip_id),
  };
}

/** A `goippy_outbox` row. */
export function toOutbox(r: Row): OutboxItem {
  return {
    id: num(r.id),
    createdMs: num(r.created_ms),
    updatedMs: num(r.updated_ms),
    ext: str(r.ext),
    goipId: str(r.goip_id),
    kind: str(r.kind) as OutboxItem["kind"],
    number: str(r.dest_num),
    body: str(r.body),
    fromJid: str(r.from_jid),
    toJid: str(r.to_jid),
    stanzaId: str(r.stanza_id),
    wantReceipt: num(r.want_receipt) !== 0,
    origin: str(r.origin) as OutboxItem["origin"],
    state: str(r.state) as OutState,
    sendid: numOrNull(r.sendid),
    smsNo: numOrNull(r.sms_no),
    attempts: num(r.attempts),
    error: str(r.error_text),
    result: str(r.result_text),
    ...(str(r.claimed_by) ? { claimedBy: str(r.claimed_by) } : {}),
  };
}

/** A `goippy_calls` row. */
export function toCall(r: Row): CallRecord {
  return {
    id: num(r.id),
    ts: num(r.ts),
    goipId: str(r.goip_id),
    ext: str(r.ext),
    direction: num(r.direction),
    remoteNum: str(r.remote_num),
    cause: str(r.cause),
    msisdn: str(r.msisdn),
    raw: str(r.raw),
    endedMs: numOrNull(r.ended_ms),
  };
}
