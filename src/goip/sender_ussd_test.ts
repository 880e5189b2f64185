// The sender state machine, USSD: table tests.
import {
  type Case,
  reply,
  runCases,
  start,
  tick,
  ticks,
  USSD,
  ussd,
  USSD_100,
  ussdError,
} from "./_sender_test_utils.ts";

const USSD_CASES: Case[] = [
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
];

runCases(USSD_CASES);
