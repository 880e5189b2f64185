/**
 * Turn one GoIP datagram into a {@linkcode GoipPacket}. Pure; never throws.
 *
 * Events look like `NAME:<n>;key:value;…` (pieces split on the first `:`
 * only; `msg` is everything after the first `;msg:`); replies to commands are
 * space-separated `CMD <sendid> …`.
 *
 * @module
 */

import type {
  DeliverPacket,
  GoipPacket,
  HangupPacket,
  KeepalivePacket,
  OtherEventPacket,
  ReceivePacket,
  RecordPacket,
  ReplyPacket,
} from "./types.ts";

/** Datagrams longer than this many bytes are dropped unread. */
export const MAX_DATAGRAM_BYTES = 8192;

/** A strict UTF-8 decoder; never used in streaming mode, so it holds no state. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 text of a datagram, or null when oversized or not valid UTF-8. */
export function decodeDatagram(bytes: Uint8Array): string | null {
  if (bytes.length > MAX_DATAGRAM_BYTES) return null;
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

const EVENT_HEAD = /^([A-Za-z_][A-Za-z0-9_]*):(-?\d+)(?:;|$)/;
const INT = /^-?\d+$/;

/** Parse a signed integer text; null when not an integer or not safe. */
function toInt(text: string | undefined): number | null {
  if (text === undefined || !INT.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** `(null)` / `<NULL>` mean "no value". */
function clean(value: string): string {
  const v = value.trim();
  if (v.length !== 6) return value; // the common case, without allocating
  return v === "(null)" || v.toUpperCase() === "<NULL>" ? "" : value;
}

/** Split `k:v;k:v` pieces on the first `:` only; the first key wins. */
function pieces(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const piece of text.split(";")) {
    if (piece === "") continue;
    const i = piece.indexOf(":");
    const key = (i < 0 ? piece : piece.slice(0, i)).trim();
    if (key === "" || Object.hasOwn(out, key)) continue;
    out[key] = i < 0 ? "" : clean(piece.slice(i + 1));
  }
  return out;
}

/** Parse one datagram's text. */
export function parseDatagram(text: string): GoipPacket {
  const last = text.charCodeAt(text.length - 1);
  const t = last === 10 || last === 13 ? text.replace(/[\r\n]+$/, "") : text;
  if (t === "") return { type: "invalid", reason: "empty datagram" };
  const head = EVENT_HEAD.exec(t);
  if (head) return parseEvent(head[1], head[2], t.slice(head[0].length));
  return parseReply(t);
}

function parseEvent(name: string, nText: string, rest: string): GoipPacket {
  const n = toInt(nText);
  if (n === null) {
    return { type: "invalid", reason: `${name}: counter out of range` };
  }
  if (name === "GSM") {
    // Reply to the `GSM <sid> <pw>` command: `GSM:<sid>;get_gsm_num:…;…`.
    return {
      type: "reply",
      kind: "control",
      command: "GSM",
      sendid: n,
      result: rest,
    };
  }
  if (name === "req") return keepalive(n, pieces(rest));
  // `msg` is raw to the end of the datagram: cut it off before splitting.
  let msg = "";
  let before = rest;
  const m = rest.startsWith("msg:") ? -1 : rest.indexOf(";msg:");
  if (rest.startsWith("msg:")) {
    msg = rest.slice(4);
    before = "";
  } else if (m >= 0) {
    msg = rest.slice(m + 5);
    before = rest.slice(0, m);
  }
  const f = pieces(before);
  const id = f.id ?? "";
  const password = f.password ?? f.pass ?? "";
  switch (name.toUpperCase()) {
    case "RECEIVE":
      return {
        type: "receive",
        n,
        id,
        password,
        srcnum: f.srcnum ?? "",
        smscnum: f.smscnum ?? "",
        msg,
      } satisfies ReceivePacket;
    case "DELIVER": {
      const smsNo = toInt(f.sms_no?.trim());
      if (smsNo === null) {
        return { type: "invalid", reason: "DELIVER without sms_no" };
      }
      return {
        type: "deliver",
        n,
        id,
        password,
        smsNo,
        state: toInt(f.state?.trim()),
        num: f.num ?? "",
      } satisfies DeliverPacket;
    }
    case "RECORD": {
      const { num, cause } = numAndCause(f);
      return {
        type: "record",
        n,
        id,
        password,
        direction: toInt(f.dir?.trim()) ?? 0,
        num,
        cause,
      } satisfies RecordPacket;
    }
    case "HANGUP":
      return {
        type: "hangup",
        n,
        id,
        password,
        ...numAndCause(f),
      } satisfies HangupPacket;
    default:
      if (msg !== "") f.msg = msg;
      return {
        type: "event",
        name,
        n,
        id,
        password,
        fields: f,
        msg,
      } satisfies OtherEventPacket;
  }
}

/** `num:<n>,cause:<text>` (HANGUP) or separate `num` / `cause` pieces. */
function numAndCause(
  f: Record<string, string>,
): { num: string; cause: string } {
  let num = f.num ?? "";
  let cause = f.cause ?? "";
  const i = num.indexOf(",cause:");
  if (i >= 0) {
    cause = clean(num.slice(i + 7));
    num = clean(num.slice(0, i));
  }
  return { num: num.trim(), cause: cause.trim() };
}

function keepalive(n: number, f: Record<string, string>): KeepalivePacket {
  const ds = toInt(f.disable_status?.trim());
  return {
    type: "keepalive",
    n,
    id: f.id ?? "",
    pass: f.pass ?? f.password ?? "",
    fields: f,
    num: (f.num ?? "").trim(),
    signal: toInt(f.signal?.trim()),
    gsmStatus: f.gsm_status ?? "",
    voipStatus: f.voip_status ?? "",
    voipState: f.voip_state ?? "",
    remainTime: toInt(f.remain_time?.trim()),
    provider: f.pro ?? "",
    disableStatus: ds === null ? null : ds !== 0,
    imei: f.imei ?? "",
    imsi: f.imsi ?? "",
    iccid: f.iccid ?? "",
  };
}

const CONTROL = /^(?:(?:get|set|svr)_[a-z_]+|CFOK|CFERROR|CFSTATE)$/i;

function parseReply(t: string): GoipPacket {
  const m = /^(\S+) (-?\d+)(?: ([\s\S]*))?$/.exec(t);
  if (!m) return { type: "invalid", reason: "not a GoIP packet" };
  const [, word, sidText, restRaw] = m;
  const sendid = toInt(sidText);
  if (sendid === null) {
    return { type: "invalid", reason: `${word}: sendid out of range` };
  }
  const rest = restRaw ?? "";
  const words = rest === "" ? [] : rest.split(" ");
  const reply = (r: ReplyPacket): ReplyPacket => r;
  switch (word) {
    case "OK":
      return reply({
        type: "reply",
        kind: "ok",
        sendid,
        telid: toInt(words[0]),
        smsNo: toInt(words[1]),
      });
    case "WAIT":
      return reply({
        type: "reply",
        kind: "wait",
        sendid,
        telid: toInt(words[0]),
      });
    case "ERROR": {
      const telid = words.length > 1 ? toInt(words[0]) : null;
      const why = telid === null ? rest : words.slice(1).join(" ");
      return reply({
        type: "reply",
        kind: "error",
        sendid,
        telid,
        why: why.trim(),
      });
    }
    case "PASSWORD":
    case "SEND":
    case "DONE":
    case "USSDEXIT":
      return reply({
        type: "reply",
        kind: word.toLowerCase() as "password" | "send" | "done" | "ussdexit",
        sendid,
      });
    case "USSD":
      return reply({ type: "reply", kind: "ussd", sendid, text: rest });
    case "USSDERROR":
      return reply({
        type: "reply",
        kind: "ussderror",
        sendid,
        why: rest.trim(),
      });
  }
  if (CONTROL.test(word)) {
    return reply({
      type: "reply",
      kind: "control",
      command: word,
      sendid,
      result: rest,
    });
  }
  return {
    type: "invalid",
    reason: `unknown packet ${JSON.stringify(word.slice(0, 20))}`,
  };
}
