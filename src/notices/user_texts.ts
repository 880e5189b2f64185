/**
 * Human texts for outcomes of outgoing SMS/USSD: what the user reads in a
 * message error stanza, what the CLI prints, what the outbox row's `error`
 * column keeps. Pure functions; each text says what failed and why.
 *
 * @module
 */

import type { FailReason } from "../goip/sender_types.ts";
import { gsmCauseWords } from "./gsm_causes.ts";

export type { FailReason } from "../goip/sender_types.ts";

/** Known GoIP error words, explained. */
const GOIP_ERRORS: Record<string, string> = {
  GSM_LOGOUT: "the SIM is not registered on the GSM network",
  PASSWORD: "the GoIP refused the line's password (check the gateway password)",
  SENDID: "the GoIP refused the send id",
  TOO_MANY_SENDS_IN_SERVER: "the GoIP is busy with too many sends",
};

/** Explain a GoIP error word (`GSM_LOGOUT`, `errorstatus:1`, …) in words. */
export function explainGoipError(why: string): string {
  const w = why.trim();
  const known = GOIP_ERRORS[w.toUpperCase()];
  if (known) return `${known} (${w})`;
  const status = /^errorstatus:(-?\d+)$/i.exec(w);
  if (status) {
    const words = gsmCauseWords(Number(status[1]));
    return words
      ? `the GSM network refused it: ${words} (${w})`
      : `the GSM module could not send it (${w}); the number may be wrong or the SIM out of credit`;
  }
  return w === "" ? "the GoIP reported an error" : `the GoIP said: ${w}`;
}

/** The text for a failed or uncertain outcome of an SMS or USSD. */
export function failureText(kind: "sms" | "ussd", reason: FailReason): string {
  const what = kind === "sms" ? "SMS" : "USSD request";
  switch (reason.code) {
    case "goip-error":
      return `${what} not sent: ${explainGoipError(reason.why)}`;
    case "no-answer":
      return `${what} not sent: no answer from the GoIP within ${reason.seconds} s`;
    case "no-final-answer":
      return `outcome uncertain: the GoIP ${
        reason.sawWait
          ? "accepted the SMS but never confirmed it"
          : "never answered"
      } within ${reason.seconds} s; it may or may not have sent it`;
    case "sendid-loop":
      return `${what} not sent: the GoIP refused ${reason.restarts} send ids in a row`;
    case "ussd-error":
      return `USSD failed: ${reason.why.trim() || "the network refused it"}`;
    case "ussd-timeout":
      return `USSD failed: no answer from the network within ${reason.seconds} s`;
    case "bad-request":
      return `${what} not sent: ${reason.why}`;
    case "internal":
      return reason.maybeSent
        ? `outcome uncertain: goippy failed while sending (${reason.why}); the gateway may or may not have sent it`
        : `${what} not sent: goippy failed while sending (${reason.why})`;
  }
}

/** Text for an item that was `sending` when goippy stopped or crashed. */
export function interruptedText(kind: "sms" | "ussd"): string {
  const what = kind === "sms" ? "SMS" : "USSD request";
  return `outcome uncertain: goippy was interrupted while handing this ${what} to the gateway; the gateway may or may not have sent it (not resent, to avoid a duplicate)`;
}

/** Text for an item that waited longer than QUEUE_TTL for its line. */
export function expiredText(kind: "sms" | "ussd", ttlSeconds: number): string {
  const what = kind === "sms" ? "SMS" : "USSD request";
  return `${what} not sent: line offline too long (waited more than ${
    formatDuration(ttlSeconds)
  })`;
}

/** Text kept on a row that went back to the queue (e.g. SIM not registered). */
export function requeuedText(why: string, retryInSeconds: number): string {
  return `waiting: ${explainGoipError(why)}; retrying in ${retryInSeconds} s`;
}

/** Text for an item whose gateway no longer exists. */
export function noGatewayText(kind: "sms" | "ussd", goipId: string): string {
  const what = kind === "sms" ? "SMS" : "USSD request";
  return `${what} not sent: no gateway ${goipId} any more`;
}

/** `86400` → `24 h`, `90` → `90 s`, `600` → `10 min`. */
export function formatDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** `2026-11-30 11:02:13 UTC`: a moment users read in texts. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
