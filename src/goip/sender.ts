/**
 * The per-line sender: a pure state machine that hands one SMS or one USSD
 * request to a GoIP line. No I/O and no timers inside: the outbound attempt
 * (`src/outbound/attempt.ts`) feeds it events (`start`, `reply`, `tick`,
 * `sendid`) and carries out the actions it returns (send a datagram, fetch a
 * fresh sendid, report the outcome); `state.timerAtMs` says when it wants the
 * next `tick`. The packets are described in `docs/protocol.md`.
 *
 * Rules (the "never duplicate a text" rule of `docs/architecture.md`):
 * - The packet that carries the text (`SMS …` in the one-packet form, `SEND …`
 *   in the session form) is sent once per attempt and never again: silence
 *   after it may mean the GoIP sent the SMS and its answer was lost, and every
 *   copy would be a fresh SMS to the recipient. `WAIT` only says the GoIP has
 *   it; `OK`/`ERROR` or the overall timeout (`totalTimeoutMs`) end it.
 * - Only the session form's `MSG` and `PASSWORD`, which send nothing, are
 *   retransmitted, after `silenceMs` of complete silence, at most
 *   `maxRetransmits` times each (`sender_sms.ts`).
 * - Giving up after the text-bearing packet went out is `uncertain` (the GoIP
 *   may have sent it); giving up before that (session form, no `PASSWORD`/`SEND`
 *   request came) is `failed`.
 * - `ERROR … GSM_LOGOUT` and `too_many_sends_in_server` end the attempt with
 *   `retry`: the item goes back to the queue and the line waits
 *   `retryLaterMs` (nothing reached the recipient). `ERROR <sid> SENDID`
 *   restarts the attempt with a new sendid, at most `maxSendidRestarts` times.
 * - USSD: one resend after `ussdResendMs` without answer, give up after
 *   `ussdTimeoutMs` (a USSD code reaches no person).
 *
 * @module
 */

import { MAX_SMS_BYTES, NUMBER_RE, USSD_CODE_RE } from "../destination.ts";
import {
  DEFAULT_TIMINGS,
  type FailReason,
  type SenderEvent,
  type SenderState,
  type SenderStep,
  type SenderTimings,
  type SendJob,
} from "./sender_types.ts";
import { ussdStart, ussdStep } from "./sender_ussd.ts";
import { smsStart, smsStep } from "./sender_sms.ts";

export * from "./sender_types.ts";

/** A fresh machine for a job; feed it `{ type: "start" }` next. */
export function createSender(
  job: SendJob,
  timings: SenderTimings = DEFAULT_TIMINGS,
): SenderState {
  return {
    job,
    timings,
    phase: "new",
    sendid: job.sendid,
    startedMs: 0,
    lastActivityMs: 0,
    lastPacket: "",
    retransmits: 0,
    sawWait: false,
    sendidRestarts: 0,
    timerAtMs: null,
    outcome: null,
  };
}

/** Feed one event; returns the next state and the actions to carry out. */
export function stepSender(
  state: SenderState,
  event: SenderEvent,
): SenderStep {
  if (state.phase === "finished") return { state, actions: [] };
  if (event.type === "start") {
    if (state.phase !== "new") return { state, actions: [] };
    const s = { ...state, startedMs: event.nowMs };
    return state.job.kind === "ussd"
      ? ussdStart(s, event.nowMs)
      : smsStart(s, event.nowMs);
  }
  if (event.type === "reply" && event.reply.sendid !== state.sendid) {
    return { state, actions: [] };
  }
  return state.job.kind === "ussd"
    ? ussdStep(state, event)
    : smsStep(state, event);
}

/**
 * Can the job be put into datagrams? Numbers, passwords and USSD codes are
 * space-separated tokens (`docs/protocol.md`); the text has a byte limit.
 * Returns why not, or null when it can.
 */
export function checkJob(job: SendJob): FailReason | null {
  const bad = (why: string): FailReason => ({ code: "bad-request", why });
  if (!/^[^\s]+$/.test(job.password)) {
    return bad("the gateway password is empty or contains blanks");
  }
  if (job.kind === "ussd") {
    return USSD_CODE_RE.test(job.text)
      ? null
      : bad(`"${job.text.slice(0, 40)}" is not a USSD code (digits, *, #, +)`);
  }
  if (!NUMBER_RE.test(job.number)) {
    return bad(`"${job.number.slice(0, 40)}" is not a phone number`);
  }
  if (job.text === "") return bad("the text is empty");
  const bytes = new TextEncoder().encode(job.text).length;
  if (bytes > MAX_SMS_BYTES) {
    return bad(
      `the text is too long (${bytes} bytes, at most ${MAX_SMS_BYTES})`,
    );
  }
  return null;
}

/** Is the machine done (an `outcome` action was returned)? */
export function senderFinished(state: SenderState): boolean {
  return state.phase === "finished";
}
