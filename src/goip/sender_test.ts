// The sender state machine, one-packet SMS form: table tests over exact
// datagrams (docs/protocol.md), plus timers, custom timings and checkJob.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  type Case,
  error,
  MSG,
  ok,
  reply,
  runCases,
  SENT_32,
  SMS,
  SMS_100,
  start,
  tick,
  ticks,
  USSD,
  wait,
} from "./_sender_test_utils.ts";
import {
  checkJob,
  createSender,
  DEFAULT_TIMINGS,
  type SendJob,
  type SendOutcome,
  stepSender,
} from "./sender.ts";

const SMS_CASES: Case[] = [
  {
    name: "one-packet form: OK with sms_no",
    job: SMS,
    events: [start(), reply(ok(100), 2000)],
    sends: [SMS_100],
    outcome: SENT_32,
  },
  {
    name: "WAIT then OK: exactly one send",
    job: SMS,
    events: [
      start(),
      reply(wait(100), 500),
      ...ticks(1000, 9000),
      reply(ok(100), 9500),
    ],
    sends: [SMS_100],
    outcome: SENT_32,
  },
  {
    name: "old firmware OK without sms_no: sent, no sms_no",
    job: SMS,
    events: [start(), reply(ok(100, null), 3000)],
    sends: [SMS_100],
    outcome: { state: "sent", smsNo: null, result: "" },
  },
  {
    name: "no resend before 5 s of silence",
    job: SMS,
    events: [start(), tick(4999)],
    sends: [SMS_100],
    outcome: null,
  },
  {
    name: "WAIT x3 then silence: never resent, uncertain at 60 s",
    job: SMS,
    events: [
      start(),
      reply(wait(100), 1000),
      reply(wait(100), 2000),
      reply(wait(100), 3000),
      ...ticks(4000, 60000),
    ],
    sends: [SMS_100],
    outcome: {
      state: "uncertain",
      reason: { code: "no-final-answer", seconds: 60, sawWait: true },
    },
  },
  {
    name: "complete silence: never resent (the device may have it), uncertain",
    job: SMS,
    events: [start(), ...ticks(1000, 60000)],
    sends: [SMS_100],
    outcome: {
      state: "uncertain",
      reason: { code: "no-final-answer", seconds: 60, sawWait: false },
    },
  },
  {
    name: "silence, then WAIT: no resend, OK ends it",
    job: SMS,
    events: [
      start(),
      ...ticks(1000, 6000),
      reply(wait(100), 6500),
      ...ticks(7000, 30000),
      reply(ok(100, 5), 31000),
    ],
    sends: [SMS_100],
    outcome: { state: "sent", smsNo: 5, result: "" },
  },
  {
    name: "ERROR GSM_LOGOUT: back to the queue, retry 100 s later",
    job: SMS,
    events: [start(), reply(error(100, "GSM_LOGOUT"), 1000)],
    sends: [SMS_100],
    outcome: { state: "retry", why: "GSM_LOGOUT", retryAtMs: 101000 },
  },
  {
    name: "ERROR errorstatus after WAIT: failed with the GoIP's words",
    job: SMS,
    events: [
      start(),
      reply(wait(100), 500),
      reply(error(100, "errorstatus:1", 7), 4000),
    ],
    sends: [SMS_100],
    outcome: {
      state: "failed",
      reason: { code: "goip-error", why: "errorstatus:1" },
    },
  },
  {
    name: "replies for another sendid are ignored",
    job: SMS,
    events: [
      start(),
      reply(ok(99), 1000),
      reply(error(101, "x"), 1000),
      reply(ok(100), 2000),
    ],
    sends: [SMS_100],
    outcome: SENT_32,
  },
  {
    name: "ERROR SENDID: restart with a new sendid; old sendid ignored",
    job: SMS,
    events: [
      start(),
      reply(error(100, "SENDID"), 1000),
      reply(ok(100), 1500),
      reply(ok(200, 9), 3000),
    ],
    sends: [SMS_100, "SMS 200 7 secret +3725551234 Hello; it's me"],
    outcome: { state: "sent", smsNo: 9, result: "" },
  },
  {
    name: "ERROR SENDID again and again: failed after 3 restarts",
    job: SMS,
    events: [
      start(),
      reply(error(100, "SENDID"), 1000),
      reply(error(200, "SENDID"), 2000),
      reply(error(201, "SENDID"), 3000),
      reply(error(202, "SENDID"), 4000),
    ],
    sends: [
      SMS_100,
      "SMS 200 7 secret +3725551234 Hello; it's me",
      "SMS 201 7 secret +3725551234 Hello; it's me",
      "SMS 202 7 secret +3725551234 Hello; it's me",
    ],
    outcome: {
      state: "failed",
      reason: { code: "sendid-loop", restarts: 4 },
    },
  },
  {
    name: "after the outcome every event is ignored",
    job: SMS,
    events: [
      start(),
      reply(ok(100), 1000),
      reply(ok(100), 1100),
      ...ticks(2000, 70000),
    ],
    sends: [SMS_100],
    outcome: SENT_32,
  },
];

runCases(SMS_CASES);

Deno.test("sender: the SMS packet is never resent: a tick only at the deadline", () => {
  let step = stepSender(createSender(SMS), start(1000));
  assertEquals(step.state.timerAtMs, 1000 + DEFAULT_TIMINGS.totalTimeoutMs);
  step = stepSender(step.state, reply(wait(100), 2000));
  assertEquals(step.state.timerAtMs, 1000 + DEFAULT_TIMINGS.totalTimeoutMs);
  step = stepSender(step.state, reply(ok(100), 3000));
  assertEquals(step.state.timerAtMs, null);
  assertEquals(step.state.phase, "finished");
});

Deno.test("sender: custom timings are honoured", () => {
  const timings = { ...DEFAULT_TIMINGS, silenceMs: 100, totalTimeoutMs: 1000 };
  let state = createSender(SMS, timings);
  const sends: string[] = [];
  let outcome: SendOutcome | null = null;
  for (let now = 0; now <= 1000 && !outcome; now += 50) {
    const step = stepSender(state, now === 0 ? start(0) : tick(now));
    state = step.state;
    for (const a of step.actions) {
      if (a.type === "send") sends.push(a.text);
      if (a.type === "outcome") outcome = a.outcome;
    }
  }
  assertEquals(sends.length, 1);
  assertEquals(outcome?.state, "uncertain");
});

Deno.test("sender: checkJob refuses what cannot be put into a datagram", () => {
  const table: [SendJob, string | null][] = [
    [SMS, null],
    [MSG, null],
    [USSD, null],
    [{ ...SMS, number: "12 34" }, '"12 34" is not a phone number'],
    [{ ...SMS, number: "+1\n2345" }, '"+1\n2345" is not a phone number'],
    [{ ...SMS, number: "12" }, '"12" is not a phone number'],
    [{ ...SMS, text: "" }, "the text is empty"],
    [
      { ...SMS, text: "ä".repeat(1501) },
      "the text is too long (3002 bytes, at most 3000)",
    ],
    [{ ...SMS, text: "ä".repeat(1500) }, null],
    [
      { ...SMS, password: "a b" },
      "the gateway password is empty or contains blanks",
    ],
    [
      { ...SMS, password: "" },
      "the gateway password is empty or contains blanks",
    ],
    [
      { ...USSD, text: "*100# 1" },
      '"*100# 1" is not a USSD code (digits, *, #, +)',
    ],
    [{ ...USSD, text: "" }, '"" is not a USSD code (digits, *, #, +)'],
  ];
  for (const [job, why] of table) {
    assertEquals(
      checkJob(job),
      why === null ? null : { code: "bad-request", why },
      JSON.stringify(job),
    );
  }
});
