/**
 * The USSD half of the sender state machine: `USSD <sid> <pw> <code>`, one
 * resend after `ussdResendMs` without an answer, give up after
 * `ussdTimeoutMs`. Pure; see `sender.ts`.
 *
 * @module
 */

import { formatUssd } from "./format.ts";
import {
  finish,
  type SenderEvent,
  type SenderState,
  type SenderStep,
} from "./sender_types.ts";

/** The GoIP's answer text when it could not send the request. */
const SEND_FAILED = /^USSD send failed!?$/i;

/** Strip the GSM-7 `@` padding (and trailing blanks) from a USSD answer. */
export function cleanUssdText(text: string): string {
  return text.replace(/[@\s]+$/, "");
}

/** Transmit the request. */
export function ussdStart(state: SenderState, nowMs: number): SenderStep {
  const packet = formatUssd(state.sendid, state.job.password, state.job.text);
  return withTimer(
    {
      ...state,
      phase: "ussd",
      lastPacket: packet,
      retransmits: 0,
      lastActivityMs: nowMs,
    },
    [{ type: "send", text: packet }],
  );
}

/** Handle a reply (sendid already matched) or a tick. */
export function ussdStep(state: SenderState, event: SenderEvent): SenderStep {
  const t = state.timings;
  if (event.type === "tick") {
    const now = event.nowMs;
    if (now >= state.startedMs + t.ussdTimeoutMs) {
      return finish(state, {
        state: "failed",
        reason: {
          code: "ussd-timeout",
          seconds: Math.round(t.ussdTimeoutMs / 1000),
        },
      });
    }
    if (state.retransmits < 1 && now - state.lastActivityMs >= t.ussdResendMs) {
      return withTimer(
        { ...state, retransmits: 1, lastActivityMs: now },
        [{ type: "send", text: state.lastPacket }],
      );
    }
    return withTimer(state, []);
  }
  if (event.type !== "reply") return { state, actions: [] };
  const reply = event.reply;
  switch (reply.kind) {
    case "ussd": {
      const text = cleanUssdText(reply.text);
      if (SEND_FAILED.test(text.trim())) {
        return finish(state, {
          state: "failed",
          reason: { code: "ussd-error", why: `the GoIP said "${text.trim()}"` },
        });
      }
      return finish(state, { state: "sent", smsNo: null, result: text });
    }
    case "ussderror":
      return finish(state, {
        state: "failed",
        reason: { code: "ussd-error", why: reply.why },
      });
    case "error": {
      const why = reply.why.trim();
      if (/^GSM_LOGOUT\b/i.test(why)) {
        return finish(state, {
          state: "retry",
          why,
          retryAtMs: event.nowMs + t.retryLaterMs,
        });
      }
      return finish(state, {
        state: "failed",
        reason: { code: "goip-error", why },
      });
    }
    default:
      return { state, actions: [] };
  }
}

function withTimer(
  state: SenderState,
  actions: SenderStep["actions"],
): SenderStep {
  const deadline = state.startedMs + state.timings.ussdTimeoutMs;
  const timerAtMs = state.retransmits < 1
    ? Math.min(deadline, state.lastActivityMs + state.timings.ussdResendMs)
    : deadline;
  return { state: { ...state, timerAtMs }, actions };
}
