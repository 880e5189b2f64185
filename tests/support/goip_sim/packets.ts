/**
 * The simulated GoIP's own packet formatting (GoIP → server) and its parsing of
 * server → GoIP commands. Written independently of goippy's `src/goip/` on
 * purpose, so the simulator catches goippy's mistakes instead of sharing them.
 * Pure functions only.
 *
 * @module
 */

/** A value for a `key:value` field; `null` drops the field. */
export type FieldValue = string | number | null;

/** The identity a channel puts into every packet it sends. */
export interface ChannelIdentity {
  id: string;
  password: string;
}

/** Everything a modern firmware puts into a keepalive, in device order. */
export interface KeepaliveDefaults {
  num: string;
  signal: number;
  imei: string;
  imsi: string;
  iccid: string;
  pro: string;
}

/**
 * A full modern keepalive: `req:<n>;id:…;pass:…;num:…;signal:…;gsm_status:LOGIN;…;CGATT:Y;`.
 * `fields` replaces values by key (keeping the device's order), adds unknown
 * keys before the end, and drops keys whose value is `null`.
 */
export function formatKeepalive(
  n: number,
  who: ChannelIdentity,
  defaults: KeepaliveDefaults,
  fields: Record<string, FieldValue> = {},
): string {
  const base: [string, FieldValue][] = [
    ["id", who.id],
    ["pass", who.password],
    ["num", defaults.num],
    ["signal", defaults.signal],
    ["gsm_status", "LOGIN"],
    ["voip_status", "LOGOUT"],
    ["voip_state", "IDLE"],
    ["remain_time", -1],
    ["imei", defaults.imei],
    ["imsi", defaults.imsi],
    ["iccid", defaults.iccid],
    ["pro", defaults.pro],
    ["idle", 11],
    ["disable_status", 0],
    ["SMS_LOGIN", "N"],
    ["SMB_LOGIN", ""],
    ["CELLINFO", "LAC:7E5,CELL ID:5E5B"],
    ["CGATT", "Y"],
  ];
  const seen = new Set<string>();
  const pieces = [`req:${n}`];
  for (const [key, value] of base) {
    seen.add(key);
    const v = key in fields ? fields[key] : value;
    if (v !== null) pieces.push(`${key}:${v}`);
  }
  for (const [key, value] of Object.entries(fields)) {
    if (!seen.has(key) && value !== null) pieces.push(`${key}:${value}`);
  }
  return pieces.join(";") + ";";
}

/** Options for {@linkcode formatReceive}. */
export interface ReceiveFormatOptions {
  /** Adds `smscnum:<n>;` between `srcnum` and `msg`. */
  smscnum?: string;
  /** The password key: devices say `password`, one vendor document `pass`. */
  passwordKey?: "password" | "pass";
}

/** Incoming SMS: `RECEIVE:<n>;id:…;password:…;srcnum:…;[smscnum:…;]msg:<raw>`. */
export function formatReceive(
  n: number,
  who: ChannelIdentity,
  srcnum: string,
  msg: string,
  opts: ReceiveFormatOptions = {},
): string {
  const key = opts.passwordKey ?? "password";
  const smsc = opts.smscnum === undefined ? "" : `smscnum:${opts.smscnum};`;
  return `RECEIVE:${n};id:${who.id};${key}:${who.password};srcnum:${srcnum};` +
    `${smsc}msg:${msg}`;
}

/**
 * Delivery report: `DELIVER:<n>;id;password;sms_no:<no>;state:<s>;num:<num>`
 * (state null: no `state:` field at all).
 */
export function formatDeliver(
  n: number,
  who: ChannelIdentity,
  smsNo: number,
  state: number | null,
  num: string,
): string {
  const fields: [string, FieldValue][] = [["sms_no", smsNo]];
  if (state !== null) fields.push(["state", state]);
  fields.push(["num", num]);
  return formatEvent("DELIVER", n, who, fields);
}

/** Call start: `RECORD:<n>;id;password;dir:<1|2>;num:<num>[;cause:<c>]`. */
export function formatRecord(
  n: number,
  who: ChannelIdentity,
  dir: number,
  num: string,
  cause?: string,
): string {
  const fields: [string, FieldValue][] = [["dir", dir], ["num", num]];
  if (cause !== undefined) fields.push(["cause", cause]);
  return formatEvent("RECORD", n, who, fields);
}

/** Call end, with the device's comma: `HANGUP:<n>;id;password;num:<num>,cause:<c>`. */
export function formatHangup(
  n: number,
  who: ChannelIdentity,
  num: string,
  cause: string,
): string {
  return `HANGUP:${n};id:${who.id};password:${who.password};` +
    `num:${num},cause:${cause}`;
}

/** Unsolicited USSD from the network: `USSN:<n>;id;password;msg:<raw>`. */
export function formatUssn(
  n: number,
  who: ChannelIdentity,
  text: string,
): string {
  return `USSN:${n};id:${who.id};password:${who.password};msg:${text}`;
}

/** Any event: `NAME:<n>;id:…;password:…;k:v;…` (fields in the given order). */
export function formatEvent(
  name: string,
  n: number,
  who: ChannelIdentity,
  fields: Record<string, FieldValue> | [string, FieldValue][] = [],
): string {
  const list = Array.isArray(fields) ? fields : Object.entries(fields);
  const pieces = [`${name}:${n}`, `id:${who.id}`, `password:${who.password}`];
  for (const [k, v] of list) if (v !== null) pieces.push(`${k}:${v}`);
  return pieces.join(";");
}

/** A command the server sent to the device, as the device understands it. */
export type ServerCommand =
  | {
    kind: "sms";
    sendid: number;
    telid: number;
    password: string;
    number: string;
    text: string;
  }
  | { kind: "msg"; sendid: number; len: number; text: string }
  | { kind: "password"; sendid: number; password: string }
  | { kind: "send"; sendid: number; telid: number; number: string }
  | { kind: "done"; sendid: number }
  | { kind: "ussd"; sendid: number; password: string; code: string }
  | { kind: "ussdexit"; sendid: number; password: string }
  | {
    kind: "control";
    command: string;
    sendid: number;
    /** Tokens between the sendid and the password (`set_gsm_num`, `CF`). */
    args: string[];
    password: string;
  }
  | { kind: "unknown"; reason: string };

/** Control commands a GoIP understands: `<cmd> <sid> [value…] <pw>`. */
export const CONTROL_COMMANDS: readonly string[] = [
  "get_gsm_num",
  "set_gsm_num",
  "get_gsm_state",
  "get_remain_time",
  "get_exp_time",
  "svr_drop_call",
  "svr_reboot_module",
  "svr_reboot_dev",
  "get_imei",
  "GSM",
  "CF",
];

const INT = /^-?\d+$/;

/** Split off the first `count` space-separated tokens; the rest stays raw. */
function splitHead(text: string, count: number): [string[], string] | null {
  const head: string[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const sp = text.indexOf(" ", pos);
    if (sp < 0) return null;
    head.push(text.slice(pos, sp));
    pos = sp + 1;
  }
  return [head, text.slice(pos)];
}

/**
 * Parse a server → device datagram the way a device would. Message texts are
 * kept raw (the single trailing `\n` of `MSG` is removed); token commands are
 * split on single spaces after trimming a trailing newline. Never throws.
 */
export function parseServerCommand(raw: string): ServerCommand {
  const first = raw.split(" ", 1)[0];
  if (first === "SMS") {
    const parts = splitHead(raw, 5);
    if (!parts || !INT.test(parts[0][1]) || !INT.test(parts[0][2])) {
      return { kind: "unknown", reason: "malformed SMS" };
    }
    const [[, sid, telid, password, number], text] = parts;
    return {
      kind: "sms",
      sendid: Number(sid),
      telid: Number(telid),
      password,
      number,
      text,
    };
  }
  if (first === "MSG") {
    const parts = splitHead(raw, 3);
    if (!parts || !INT.test(parts[0][1]) || !/^\d+$/.test(parts[0][2])) {
      return { kind: "unknown", reason: "malformed MSG" };
    }
    const [[, sid, len], rest] = parts;
    const text = rest.endsWith("\n") ? rest.slice(0, -1) : rest;
    return { kind: "msg", sendid: Number(sid), len: Number(len), text };
  }
  const tokens = raw.replace(/\r?\n$/, "").split(" ");
  const sid = tokens[1] ?? "";
  if (!INT.test(sid)) return { kind: "unknown", reason: "no sendid" };
  const sendid = Number(sid);
  switch (first) {
    case "PASSWORD":
      if (tokens.length !== 3) break;
      return { kind: "password", sendid, password: tokens[2] };
    case "SEND":
      if (tokens.length !== 4 || !INT.test(tokens[2])) break;
      return {
        kind: "send",
        sendid,
        telid: Number(tokens[2]),
        number: tokens[3],
      };
    case "DONE":
      if (tokens.length !== 2) break;
      return { kind: "done", sendid };
    case "USSD": {
      // The code is kept raw: a trailing newline leaks into it on a device.
      const parts = splitHead(raw, 3);
      if (!parts) break;
      return { kind: "ussd", sendid, password: parts[0][2], code: parts[1] };
    }
    case "USSDEXIT":
      if (tokens.length !== 3) break;
      return { kind: "ussdexit", sendid, password: tokens[2] };
    default:
      if (!CONTROL_COMMANDS.includes(first)) {
        return { kind: "unknown", reason: `unknown command ${first}` };
      }
      if (tokens.length < 3) break;
      return {
        kind: "control",
        command: first,
        sendid,
        args: tokens.slice(2, -1),
        password: tokens[tokens.length - 1],
      };
  }
  return { kind: "unknown", reason: `malformed ${first}` };
}

/** UTF-8 byte length, as the `MSG` length field counts. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
