/**
 * Helpers of the sender state machine's table tests: jobs, exact datagrams,
 * reply and event builders, and a driver that runs a script of events.
 *
 * @module
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  createSender,
  type SenderEvent,
  type SenderState,
  type SendJob,
  type SendOutcome,
  stepSender,
} from "./sender.ts";
import type { ReplyPacket } from "./types.ts";

export const SMS: SendJob = {
  kind: "sms",
  mode: "sms",
  sendid: 100,
  telid: 7,
  password: "secret",
  number: "+3725551234",
  text: "Hello; it's me",
};
export const MSG: SendJob = { ...SMS, mode: "msg" };
export const USSD: SendJob = {
  ...SMS,
  kind: "ussd",
  number: "",
  text: "*100#",
};

// Exact datagrams as the GoIP sees them (docs/protocol.md).
export const SMS_100 = "SMS 100 7 secret +3725551234 Hello; it's me";
export const MSG_100 = "MSG 100 14 Hello; it's me\n";
export const PASSWORD_100 = "PASSWORD 100 secret\n";
export const SEND_100 = "SEND 100 7 +3725551234\n";
export const DONE_100 = "DONE 100\n";
export const USSD_100 = "USSD 100 secret *100#";

export const ok = (sendid: number, smsNo: number | null = 32): ReplyPacket => ({
  type: "reply",
  kind: "ok",
  sendid,
  telid: 7,
  smsNo,
});
export const wait = (sendid: number): ReplyPacket => ({
  type: "reply",
  kind: "wait",
  sendid,
  telid: 7,
});
export const error = (
  sendid: number,
  why: string,
  telid: number | null = null,
) => ({ type: "reply", kind: "error", sendid, telid, why }) as ReplyPacket;
export const password = (sendid: number) =>
  ({ type: "reply", kind: "password", sendid }) as ReplyPacket;
export const send = (sendid: number) =>
  ({ type: "reply", kind: "send", sendid }) as ReplyPacket;
export const ussd = (sendid: number, text: string) =>
  ({ type: "reply", kind: "ussd", sendid, text }) as ReplyPacket;
export const ussdError = (sendid: number, why: string) =>
  ({ type: "reply", kind: "ussderror", sendid, why }) as ReplyPacket;

export const start = (nowMs = 0): SenderEvent => ({ type: "start", nowMs });
export const reply = (r: ReplyPacket, nowMs: number): SenderEvent => ({
  type: "reply",
  reply: r,
  nowMs,
});
export const tick = (nowMs: number): SenderEvent => ({ type: "tick", nowMs });
/** Ticks every second from `from` to `to` inclusive. */
export const ticks = (from: number, to: number): SenderEvent[] =>
  Array.from(
    { length: Math.floor((to - from) / 1000) + 1 },
    (_, i) => tick(from + i * 1000),
  );

/** What {@linkcode drive} saw. */
export interface Run {
  sends: string[];
  outcome: SendOutcome | null;
  needSendid: number;
  state: SenderState;
}

/** Feed events; a `needSendid` action is answered with sendid 200, 201, … */
export function drive(job: SendJob, events: SenderEvent[]): Run {
  let state = createSender(job);
  const run: Run = { sends: [], outcome: null, needSendid: 0, state };
  const queue = [...events];
  while (queue.length > 0) {
    const ev = queue.shift()!;
    const step = stepSender(state, ev);
    state = step.state;
    for (const a of step.actions) {
      if (a.type === "send") run.sends.push(a.text);
      else if (a.type === "outcome") {
        assertEquals(run.outcome, null, "only one outcome");
        run.outcome = a.outcome;
      } else {
        queue.unshift({
          type: "sendid",
          sendid: 200 + run.needSendid++,
          nowMs: ev.nowMs,
        });
      }
    }
  }
  run.state = state;
  return run;
}

/** One table row. */
export interface Case {
  name: string;
  job: SendJob;
  events: SenderEvent[];
  sends: string[];
  outcome: SendOutcome | null;
}

export const SENT_32: SendOutcome = { state: "sent", smsNo: 32, result: "" };

/** Register one test per table row. */
export function runCases(cases: Case[]): void {
  for (const c of cases) {
    Deno.test(`sender: ${c.name}`, () => {
      const run = drive(c.job, c.events);
      assertEquals(run.sends, c.sends);
      assertEquals(run.outcome, c.outcome);
    });
  }
}
