/**
 * What a GoIP sends, as parsed values. The parser (`parse.ts`) turns one
 * datagram into exactly one {@linkcode GoipPacket}; it never throws.
 *
 * @module
 */

/** Keepalive `req:<n>;id:…;pass:…;…`. */
export interface KeepalivePacket {
  type: "keepalive";
  n: number;
  id: string;
  pass: string;
  /** Every `key:value` piece, keys as sent (values with `(null)`/`<NULL>` as ""). */
  fields: Record<string, string>;
  num: string;
  signal: number | null;
  gsmStatus: string;
  voipStatus: string;
  voipState: string;
  remainTime: number | null;
  provider: string;
  disableStatus: boolean | null;
  imei: string;
  imsi: string;
  iccid: string;
}

/** Incoming SMS `RECEIVE:<n>;id;password;srcnum;[smscnum;]msg:<raw to end>`. */
export interface ReceivePacket {
  type: "receive";
  n: number;
  id: string;
  password: string;
  srcnum: string;
  smscnum: string;
  msg: string;
}

/** Delivery report `DELIVER:<n>;id;password;sms_no;state;num`. */
export interface DeliverPacket {
  type: "deliver";
  n: number;
  id: string;
  password: string;
  smsNo: number;
  /**
   * 0 = delivered; any other number = not delivered; null = the report
   * carried no (numeric) state, so nothing is known about the delivery.
   */
  state: number | null;
  num: string;
}

/** Call start `RECORD:<n>;id;password;dir:1|2;num:<n>[;cause:<text>]`. */
export interface RecordPacket {
  type: "record";
  n: number;
  id: string;
  password: string;
  direction: number;
  num: string;
  cause: string;
}

/** Call end `HANGUP:<n>;id;password;num:<n>,cause:<text>`. */
export interface HangupPacket {
  type: "hangup";
  n: number;
  id: string;
  password: string;
  num: string;
  cause: string;
}

/** Any other event `NAME:<n>;id;password;…` (STATE, REMAIN, EXPIRY, USSN, CELLS, …). */
export interface OtherEventPacket {
  type: "event";
  /** The event name exactly as sent (e.g. `STATE`, `USSN`). */
  name: string;
  n: number;
  id: string;
  password: string;
  fields: Record<string, string>;
  /** For USSN: the raw `msg` (everything after the first `;msg:`), else "". */
  msg: string;
}

/** A reply to a command goippy sent (space-separated syntax). */
export type ReplyPacket =
  | {
    type: "reply";
    kind: "ok";
    sendid: number;
    telid: number | null;
    smsNo: number | null;
  }
  | { type: "reply"; kind: "wait"; sendid: number; telid: number | null }
  | {
    type: "reply";
    kind: "error";
    sendid: number;
    /** Present in the session form's per-recipient error `ERROR <sid> <telid> errorstatus:<n>`. */
    telid: number | null;
    /** The rest after the sendid (and telid), e.g. `GSM_LOGOUT`, `errorstatus:1`. */
    why: string;
  }
  | { type: "reply"; kind: "password"; sendid: number }
  | { type: "reply"; kind: "send"; sendid: number }
  | { type: "reply"; kind: "done"; sendid: number }
  | { type: "reply"; kind: "ussd"; sendid: number; text: string }
  | { type: "reply"; kind: "ussderror"; sendid: number; why: string }
  | { type: "reply"; kind: "ussdexit"; sendid: number }
  | {
    type: "reply";
    kind: "control";
    /** The command name as sent back, e.g. `get_gsm_num`. */
    command: string;
    sendid: number;
    result: string;
  };

/** A datagram the parser could not make sense of. */
export interface InvalidPacket {
  type: "invalid";
  /** Short reason for the debug log. */
  reason: string;
}

/** The result of parsing one datagram. */
export type GoipPacket =
  | KeepalivePacket
  | ReceivePacket
  | DeliverPacket
  | RecordPacket
  | HangupPacket
  | OtherEventPacket
  | ReplyPacket
  | InvalidPacket;

/** A UDP peer as `ip:port` (IPv6 as `[addr]:port`). */
export type PeerAddr = string;
