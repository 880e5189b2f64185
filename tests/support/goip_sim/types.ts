/**
 * Types of the simulated GoIP module: behaviours, settings and the records it
 * keeps of what the server asked of it.
 *
 * @module
 */

/**
 * How the module treats an SMS command:
 * - `ok`: `WAIT` at once, then `OK <sid> <telid> <sms_no>` after `okDelayMs`;
 * - `wait-long`: `waitCount` WAITs `waitIntervalMs` apart, then OK;
 * - `no-sms-no`: like `ok` but old firmware: `OK <sid> <telid>`;
 * - `error`: WAIT, then `ERROR <sid> <telid> errorstatus:1` (nothing sent);
 * - `gsm-logout`: `ERROR <sid> GSM_LOGOUT` at once (nothing sent);
 * - `busy`: `ERROR <sid> too_many_sends_in_server` at once;
 * - `sendid-error`: `ERROR <sid> SENDID` at once;
 * - `silent`: answers nothing and sends nothing;
 * - `sent-silent`: transmits the SMS but never answers.
 */
export type SmsBehaviour =
  | "ok"
  | "wait-long"
  | "no-sms-no"
  | "error"
  | "gsm-logout"
  | "busy"
  | "sendid-error"
  | "silent"
  | "sent-silent";

/** What a behaviour function is asked about: one SMS-path datagram. */
export interface SmsStage {
  /** `sms` = one-packet form; the others are session steps. */
  stage: "sms" | "msg" | "password" | "send" | "done";
  sendid: number;
  telid: number | null;
  number: string | null;
  text: string | null;
  /** 1 for the first datagram of this stage and sendid, 2 for a repeat, … */
  count: number;
}

/** A fixed behaviour, or one chosen per datagram. */
export type SmsBehaviourSetting =
  | SmsBehaviour
  | ((stage: SmsStage) => SmsBehaviour);

/**
 * How the module treats a USSD request: `ok` answers `USSD <sid> <answer>`,
 * `error` answers `USSDERROR <sid> <ussdError>`, `send-failed` answers
 * `USSD <sid> USSD send failed!`, `gsm-logout` answers `ERROR <sid> GSM_LOGOUT`,
 * `silent` answers nothing.
 */
export type UssdBehaviour =
  | "ok"
  | "error"
  | "send-failed"
  | "gsm-logout"
  | "silent";

/** How control commands are answered. */
export type ControlBehaviour = "ok" | "error" | "silent";

/** An SMS the simulated module actually transmitted (duplicates included). */
export interface SentSms {
  sendid: number;
  telid: number;
  number: string;
  text: string;
  /** `Date.now()` when the module accepted the datagram. */
  at: number;
  form: "sms" | "session";
  /** The `sms_no` given in `OK` (null if none was given). */
  smsNo: number | null;
}

/** A USSD request the module saw. */
export interface UssdRequest {
  sendid: number;
  code: string;
  password: string;
  at: number;
  /** Answered from the device's cache (sendid ≤ the cached one). */
  cached: boolean;
}

/** A control command the module saw. */
export interface ControlRequest {
  command: string;
  sendid: number;
  args: string[];
  password: string;
  at: number;
}

/** The settings of the module; all may be changed at any time. */
export interface DeviceSettings {
  password: string;
  num: string;
  imei: string;
  smsBehaviour: SmsBehaviourSetting;
  okDelayMs: number;
  waitCount: number;
  waitIntervalMs: number;
  smsNoMax: number;
  ussdBehaviour: UssdBehaviour | ((code: string) => UssdBehaviour);
  ussdDelayMs: number;
  ussdAnswer: string | ((code: string) => string);
  /** How many `@` (GSM-7 padding) to append to USSD answers. */
  ussdPadding: number;
  ussdError: string;
  controlBehaviour: ControlBehaviour;
  /** At most this many session-form sends at once. */
  maxSessions: number;
  /** The module forgets a session after this much silence. */
  sessionTimeoutMs: number;
}
