/**
 * Types shared by the sender state machine (`sender.ts`) and its SMS and USSD
 * halves (`sender_sms.ts`, `sender_ussd.ts`).
 *
 * @module
 */

import type { ReplyPacket } from "./types.ts";

/** Timings of the sender; see {@linkcode DEFAULT_TIMINGS}. */
export interface SenderTimings {
  /** Silence (no reply at all, not even WAIT) before a retransmit. */
  silenceMs: number;
  /** Retransmits per packet. */
  maxRetransmits: number;
  /** Overall limit for one SMS attempt. */
  totalTimeoutMs: number;
  /** Wait this long for a USSD answer before the one resend. */
  ussdResendMs: number;
  /** Give a USSD request up after this long. */
  ussdTimeoutMs: number;
  /** After `GSM_LOGOUT` (or a busy GoIP) retry the item this much later. */
  retryLaterMs: number;
  /** `ERROR <sid> SENDID` restarts allowed per attempt. */
  maxSendidRestarts: number;
}

/** The timings of `docs/protocol.md`. */
export const DEFAULT_TIMINGS: SenderTimings = {
  silenceMs: 5_000,
  maxRetransmits: 2,
  totalTimeoutMs: 60_000,
  ussdResendMs: 10_000,
  ussdTimeoutMs: 45_000,
  retryLaterMs: 100_000,
  maxSendidRestarts: 3,
};

/** What to hand over: one SMS or one USSD code, for one line. */
export interface SendJob {
  kind: "sms" | "ussd";
  /** SMS form: one packet `SMS …` or the `MSG/PASSWORD/SEND/DONE` session. */
  mode: "sms" | "msg";
  sendid: number;
  /** Our id of the recipient inside the send (the outbox row id). */
  telid: number;
  password: string;
  /** Destination number (SMS). */
  number: string;
  /** SMS text or USSD code. */
  text: string;
}

/** How one attempt ended. */
export type SendOutcome =
  /** SMS: OK (smsNo null on old firmware). USSD: answered (`result`). */
  | { state: "sent"; smsNo: number | null; result: string }
  | { state: "failed"; reason: FailReason }
  | { state: "uncertain"; reason: FailReason }
  /** Back to the queue; try again at `retryAtMs`. */
  | { state: "retry"; why: string; retryAtMs: number };

/** What the driver must do. */
export type SenderAction =
  | { type: "send"; text: string }
  /** Fetch a new sendid, persist it, then feed a `sendid` event. */
  | { type: "needSendid" }
  | { type: "outcome"; outcome: SendOutcome };

/** What the driver feeds in. */
export type SenderEvent =
  | { type: "start"; nowMs: number }
  | { type: "reply"; reply: ReplyPacket; nowMs: number }
  | { type: "tick"; nowMs: number }
  | { type: "sendid"; sendid: number; nowMs: number };

/** Where an attempt stands. */
export type SenderPhase =
  | "new"
  /** Session form: MSG sent, waiting for `PASSWORD <sid>`. */
  | "msg"
  /** Session form: PASSWORD sent, waiting for `SEND <sid>`. */
  | "password"
  /** The packet with the text (SMS or SEND) went out; waiting for WAIT/OK/ERROR. */
  | "text"
  /** Waiting for the driver's new sendid. */
  | "sendid"
  /** USSD sent, waiting for the answer. */
  | "ussd"
  | "finished";

/** The machine's state; treat as immutable. */
export interface SenderState {
  job: SendJob;
  timings: SenderTimings;
  phase: SenderPhase;
  /** The sendid in use (changes on a SENDID restart). */
  sendid: number;
  startedMs: number;
  /** Last transmit or last reply for this sendid. */
  lastActivityMs: number;
  /** The packet of the current phase, for a retransmit. */
  lastPacket: string;
  /** Retransmits of the current packet so far. */
  retransmits: number;
  /** The GoIP said WAIT for the text: never transmit the text again. */
  sawWait: boolean;
  sendidRestarts: number;
  /** When the driver should feed the next `tick` (null: no timer). */
  timerAtMs: number | null;
  outcome: SendOutcome | null;
}

/** One step's result. */
export interface SenderStep {
  state: SenderState;
  actions: SenderAction[];
}

/** Finish with an outcome (sends go out before it). */
export function finish(
  state: SenderState,
  outcome: SendOutcome,
  sends: string[] = [],
): SenderStep {
  return {
    state: { ...state, phase: "finished", timerAtMs: null, outcome },
    actions: [
      ...sends.map((text): SenderAction => ({ type: "send", text })),
      { type: "outcome", outcome },
    ],
  };
}

/** Why a send did not end as `sent`, as the sender state machine reports it. */
export type FailReason =
  /** The GoIP answered `ERROR <sid> [telid] <why>`. */
  | { code: "goip-error"; why: string }
  /** Nothing that could carry the text reached the device: no answer at all. */
  | { code: "no-answer"; seconds: number }
  /** The text may have gone out; the GoIP never said OK or ERROR. */
  | { code: "no-final-answer"; seconds: number; sawWait: boolean }
  /** The GoIP refused sendids again and again. */
  | { code: "sendid-loop"; restarts: number }
  /** `USSDERROR <sid> <why>` or a `USSD send failed!` answer. */
  | { code: "ussd-error"; why: string }
  /** No USSD answer in time. */
  | { code: "ussd-timeout"; seconds: number }
  /** The request cannot be put into a datagram (checked before sending). */
  | { code: "bad-request"; why: string }
  /** goippy itself failed while sending (a bug or a database error). */
  | { code: "internal"; why: string; maybeSent: boolean };
