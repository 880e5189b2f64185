/**
 * The SMS half of the sender state machine: the one-packet form
 * `SMS <sid> <telid> <pw> <number> <text>` and the session form
 * `MSG → PASSWORD → SEND → WAIT/OK/ERROR → DONE`. Pure; see `sender.ts`.
 *
 * @module
 */

import {
  formatDone,
  formatMsg,
  formatPassword,
  formatSend,
  formatSms,
} from "./format.ts";
import {
  finish,
  type SenderEvent,
  type SenderState,
  type SenderStep,
} from "./sender_types.ts";

/** `ERROR` words after which the item waits in the queue and is tried later. */
const RETRY_LATER = /^(GSM_LOGOUT|too_many_sends_in_server)\b/i;
/** `ERROR <sid> SENDID`: restart from the beginning with a new sendid. */
const BAD_SENDID = /^SENDID\b/i;

/** Transmit the first packet of an attempt. */
export function smsStart(state: SenderState, nowMs: number): SenderStep {
  const { job } = state;
  const sid = state.sendid;
  const packet = job.mode === "msg"
    ? formatMsg(sid, job.text)
    : formatSms(sid, job.telid, job.password, job.number, job.text);
  return transmit(
    { ...state, phase: job.mode === "msg" ? "msg" : "text", sawWait: false },
    packet,
    nowMs,
  );
}

/** Handle a reply (sendid already matched), a tick or a new sendid. */
export function smsStep(state: SenderState, event: SenderEvent): SenderStep {
  const { job } = state;
  if (event.type === "sendid") {
    if (state.phase !== "sendid") return { state, actions: [] };
    return smsStart(
      {
        ...state,
        sendid: event.sendid,
        sendidRestarts: state.sendidRestarts + 1,
      },
      event.nowMs,
    );
  }
  if (event.type === "tick") return tick(state, event.nowMs);
  if (event.type !== "reply") return { state, actions: [] };

  const now = event.nowMs;
  const reply = event.reply;
  // Any reply for our sendid, WAIT included, breaks the silence.
  const heard: SenderState = { ...state, lastActivityMs: now };
  const done = job.mode === "msg" && state.phase === "text"
    ? [formatDone(state.sendid)]
    : [];
  switch (reply.kind) {
    case "password":
      if (state.phase !== "msg") return withTimer(heard, []);
      return transmit(
        { ...heard, phase: "password" },
        formatPassword(state.sendid, job.password),
        now,
      );
    case "send":
      // A repeated SEND request never makes us send the text twice.
      if (state.phase !== "password") return withTimer(heard, []);
      return transmit(
        { ...heard, phase: "text" },
        formatSend(state.sendid, job.telid, job.number),
        now,
      );
    case "wait":
      if (state.phase !== "text") return withTimer(heard, []);
      return withTimer({ ...heard, sawWait: true }, []);
    case "ok":
      if (state.phase !== "text") return withTimer(heard, []);
      return finish(
        heard,
        { state: "sent", smsNo: reply.smsNo, result: "" },
        done,
      );
    case "error": {
      if (state.phase === "sendid") return { state, actions: [] };
      const why = reply.why.trim();
      if (BAD_SENDID.test(why)) {
        if (state.sendidRestarts >= state.timings.maxSendidRestarts) {
          return finish(heard, {
            state: "failed",
            reason: { code: "sendid-loop", restarts: state.sendidRestarts + 1 },
          }, done);
        }
        return {
          state: { ...heard, phase: "sendid", timerAtMs: null },
          actions: [{ type: "needSendid" }],
        };
      }
      if (RETRY_LATER.test(why)) {
        return finish(heard, {
          state: "retry",
          why,
          retryAtMs: now + state.timings.retryLaterMs,
        }, done);
      }
      return finish(heard, {
        state: "failed",
        reason: { code: "goip-error", why },
      }, done);
    }
    default:
      return withTimer(heard, []);
  }
}

function tick(state: SenderState, now: number): SenderStep {
  const t = state.timings;
  if (state.phase === "sendid") return { state, actions: [] };
  const seconds = Math.round(t.totalTimeoutMs / 1000);
  if (now >= state.startedMs + t.totalTimeoutMs) {
    if (state.phase === "text") {
      // The text went out at least once: the GoIP may have sent it.
      const done = state.job.mode === "msg" ? [formatDone(state.sendid)] : [];
      return finish(state, {
        state: "uncertain",
        reason: { code: "no-final-answer", seconds, sawWait: state.sawWait },
      }, done);
    }
    return finish(state, {
      state: "failed",
      reason: { code: "no-answer", seconds },
    });
  }
  if (mayRetransmit(state) && now - state.lastActivityMs >= t.silenceMs) {
    return withTimer(
      {
        ...state,
        retransmits: state.retransmits + 1,
        lastActivityMs: now,
      },
      [{ type: "send", text: state.lastPacket }],
    );
  }
  return withTimer(state, []);
}

function mayRetransmit(state: SenderState): boolean {
  if (state.retransmits >= state.timings.maxRetransmits) return false;
  // Never the packet that carries the text (SMS, SEND): silence may mean the
  // device got it and its WAIT/OK were lost, and every copy is a fresh SMS
  // to the recipient.
  // Only the session's MSG/PASSWORD, which send nothing, are retransmitted.
  return state.phase !== "text";
}

function transmit(
  state: SenderState,
  packet: string,
  now: number,
): SenderStep {
  return withTimer(
    { ...state, lastPacket: packet, retransmits: 0, lastActivityMs: now },
    [{ type: "send", text: packet }],
  );
}

function withTimer(
  state: SenderState,
  actions: SenderStep["actions"],
): SenderStep {
  const deadline = state.startedMs + state.timings.totalTimeoutMs;
  const timerAtMs = mayRetransmit(state)
    ? Math.min(deadline, state.lastActivityMs + state.timings.silenceMs)
    : deadline;
  return { state: { ...state, timerAtMs }, actions };
}
