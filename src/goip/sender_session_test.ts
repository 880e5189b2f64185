// The sender state machine, session form MSG/PASSWORD/SEND/DONE: table tests.
import {
  type Case,
  DONE_100,
  error,
  MSG,
  MSG_100,
  ok,
  password,
  PASSWORD_100,
  reply,
  runCases,
  send,
  SEND_100,
  SENT_32,
  start,
  tick,
  ticks,
  wait,
} from "./_sender_test_utils.ts";

const SESSION_CASES: Case[] = [
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
    name: "session form: silence after SEND: never resent, uncertain, DONE",
    job: MSG,
    events: [
      start(),
      reply(password(100), 100),
      reply(send(100), 200),
      ...ticks(1000, 60000),
    ],
    sends: [MSG_100, PASSWORD_100, SEND_100, DONE_100],
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
];

runCases(SESSION_CASES);
