import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  checkJob,
  createSender,
  DEFAULT_TIMINGS,
  type SenderEvent,
  type SenderState,
  type SendJob,
  type SendOutcome,
  stepSender,
} from "./sender.ts";
import type { ReplyPacket } from "./types.ts";

const SMS: SendJob = {
  kind: "sms",
  mode: "sms",
  sendid: 100,
  telid: 7,
  password: "secret",
  number: "+3725551234",
  text: "Hello; it's me",
};
const MSG: SendJob = { ...SMS, mode: "msg" };
const USSD: SendJob = { ...SMS, kind: "ussd", number: "", text: "*100#" };

// Exact datagrams as the GoIP sees them (goip-protocol.md).
const SMS_100 = "SMS 100 7 secret +3725551234 Hello; it's me";
const MSG_100 = "MSG 100 14 Hello; it's me\n";
const PASSWORD_100 = "PASSWORD 100 secret\n";
const SEND_100 = "SEND 100 7 +3725551234\n";
const DONE_100 = "DONE 100\n";
const USSD_100 = "USSD 100 secret *100#";

const ok = (sendid: number, smsNo: number | null = 32): ReplyPacket => ({
  type: "reply",
  kind: "ok",
  sendid,
  telid: 7,
  smsNo,
});
const wait = (sendid: number): ReplyPacket => ({
  type: "reply",
  kind: "wait",
  sendid,
  telid: 7,
});
const error = (sendid: number, why: string, telid: number | null = null) =>
  ({ type: "reply", kind: "error", sendid, telid, why }) as ReplyPacket;
const password = (sendid: number) =>
  ({ type: "reply", kind: "password", sendid }) as ReplyPacket;
const send = (sendid: number) =>
  ({ type: "reply", kind: "send", sendid }) as ReplyPacket;
const ussd = (sendid: number, text: string) =>
  ({ type: "reply", kind: "ussd", sendid, text }) as ReplyPacket;
const ussdError = (sendid: number, why: string) =>
  ({ type: "reply", kind: "ussderror", sendid, why }) as ReplyPacket;

const start = (nowMs = 0): SenderEvent => ({ type: "start", nowMs });
const reply = (r: ReplyPacket, nowMs: number): SenderEvent => ({
  type: "reply",
  reply: r,
  nowMs,
});
const tick = (nowMs: number): SenderEvent => ({ type: "tick", nowMs });
/** Ticks every second from `from` to `to` inclusive. */
const ticks = (from: number, to: number): SenderEvent[] =>
  Array.from(
    { length: Math.floor((to - from) / 1000) + 1 },
    (_, i) => tick(from + i * 1000),
  );

interface Run {
  sends: string[];
  outcome: SendOutcome | null;
  needSendid: number;
  state: SenderState;
}

/** Feed events; a `needSendid` action is answered with sendid 200, 201, … */
function drive(job: SendJob, events: SenderEvent[]): Run {
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

interface Case {
  name: string;
  job: SendJob;
  events: SenderEvent[];
  sends: string[];
  outcome: SendOutcome | null;
}

const SENT_32: SendOutcome = { state: "sent", smsNo: 32, result: "" };

const CASES: Case[] = [
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
    name: "complete silence: 2 resends 5 s apart, then uncertain",
    job: SMS,
    events: [start(), ...ticks(1000, 60000)],
    sends: [SMS_100, SMS_100, SMS_100],
    outcome: {
      state: "uncertain",
      reason: { code: "no-final-answer", seconds: 60, sawWait: false },
    },
  },
  {
    name: "silence, one resend, then WAIT: no more resends, OK ends it",
    job: SMS,
    events: [
      start(),
      ...ticks(1000, 6000),
      reply(wait(100), 6500),
      ...ticks(7000, 30000),
      reply(ok(100, 5), 31000),
    ],
    sends: [SMS_100, SMS_100],
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
    name: "session form: MSG, PASSWORD, SEND, WAIT, OK, DONE",
    job: MSG,
    events: [
      start(),
      reply(password(100), 300),
      reply(send(100), 600),
      reply(wait(100), 900),
      reply(ok(100), 4000),
    ],
    sends: [MSG_100, PASSWORD_100, SEND_100, DONE_100],
    outcome: SENT_32,
  },
  {
    name: "session form: a repeated SEND request never repeats SEND",
    job: MSG,
    events: [
      start(),
      reply(password(100), 300),
      reply(password(100), 350),
      reply(send(100), 600),
      reply(send(100), 700),
      reply(ok(100), 4000),
    ],
    sends: [MSG_100, PASSWORD_100, SEND_100, DONE_100],
    outcome: SENT_32,
  },
  {
    name: "session form: silence at MSG: 2 resends, then failed (nothing sent)",
    job: MSG,
    events: [start(), ...ticks(1000, 60000)],
    sends: [MSG_100, MSG_100, MSG_100],
    outcome: { state: "failed", reason: { code: "no-answer", seconds: 60 } },
  },
  {
    name: "session form: silence after SEND: resent twice, uncertain, DONE",
    job: MSG,
    events: [
      start(),
      reply(password(100), 100),
      reply(send(100), 200),
      ...ticks(1000, 60000),
    ],
    sends: [MSG_100, PASSWORD_100, SEND_100, SEND_100, SEND_100, DONE_100],
    outcome: {
      state: "uncertain",
      reason: { code: "no-final-answer", seconds: 60, sawWait: false },
    },
  },
  {
    name: "session form: the silence clock restarts with each reply",
    job: MSG,
    events: [start(), reply(password(100), 3000), tick(5000), tick(7999)],
    sends: [MSG_100, PASSWORD_100],
    outcome: null,
  },
  {
    name: "session form: ERROR PASSWORD: failed",
    job: MSG,
    events: [
      start(),
      reply(password(100), 300),
      reply(error(100, "PASSWORD"), 600),
    ],
    sends: [MSG_100, PASSWORD_100],
    outcome: {
      state: "failed",
      reason: { code: "goip-error", why: "PASSWORD" },
    },
  },
  {
    name: "session form: busy GoIP at MSG: retry later, no DONE",
    job: MSG,
    events: [start(), reply(error(100, "too_many_sends_in_server"), 300)],
    sends: [MSG_100],
    outcome: {
      state: "retry",
      why: "too_many_sends_in_server",
      retryAtMs: 100300,
    },
  },
  {
    name: "session form: per-recipient ERROR closes with DONE",
    job: MSG,
    events: [
      start(),
      reply(password(100), 1),
      reply(send(100), 2),
      reply(error(100, "errorstatus:3", 7), 3),
    ],
    sends: [MSG_100, PASSWORD_100, SEND_100, DONE_100],
    outcome: {
      state: "failed",
      reason: { code: "goip-error", why: "errorstatus:3" },
    },
  },
  {
    name: "session form: SENDID restarts from MSG",
    job: MSG,
    events: [
      start(),
      reply(error(100, "SENDID"), 100),
      reply(password(200), 200),
      reply(send(200), 300),
      reply(ok(200, 1), 400),
    ],
    sends: [
      MSG_100,
      "MSG 200 14 Hello; it's me\n",
      "PASSWORD 200 secret\n",
      "SEND 200 7 +3725551234\n",
      "DONE 200\n",
    ],
    outcome: { state: "sent", smsNo: 1, result: "" },
  },
  {
    name: "USSD: answer with @ padding stripped",
    job: USSD,
    events: [start(), reply(ussd(100, "Balance 5.00 EUR@@@"), 4000)],
    sends: [USSD_100],
    outcome: { state: "sent", smsNo: null, result: "Balance 5.00 EUR" },
  },
  {
    name: "USSD: 'USSD send failed!' is an error",
    job: USSD,
    events: [start(), reply(ussd(100, "USSD send failed!"), 4000)],
    sends: [USSD_100],
    outcome: {
      state: "failed",
      reason: { code: "ussd-error", why: 'the GoIP said "USSD send failed!"' },
    },
  },
  {
    name: "USSD: USSDERROR is an error",
    job: USSD,
    events: [start(), reply(ussdError(100, "network timeout"), 4000)],
    sends: [USSD_100],
    outcome: {
      state: "failed",
      reason: { code: "ussd-error", why: "network timeout" },
    },
  },
  {
    name: "USSD: one resend after 10 s, none more, failed at 45 s",
    job: USSD,
    events: [start(), ...ticks(1000, 45000)],
    sends: [USSD_100, USSD_100],
    outcome: {
      state: "failed",
      reason: { code: "ussd-timeout", seconds: 45 },
    },
  },
  {
    name: "USSD: no resend before 10 s; answer of another sendid ignored",
    job: USSD,
    events: [start(), tick(9999), reply(ussd(99, "old answer"), 9999)],
    sends: [USSD_100],
    outcome: null,
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

for (const c of CASES) {
  Deno.test(`sender: ${c.name}`, () => {
    const run = drive(c.job, c.events);
    assertEquals(run.sends, c.sends);
    assertEquals(run.outcome, c.outcome);
  });
}

Deno.test("sender: asks for a tick at the silence mark, then only at the deadline after WAIT", () => {
  let step = stepSender(createSender(SMS), start(1000));
  assertEquals(step.state.timerAtMs, 1000 + DEFAULT_TIMINGS.silenceMs);
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
  assertEquals(sends.length, 3);
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
