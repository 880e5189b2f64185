import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  expiredText,
  explainGoipError,
  failureText,
  formatDuration,
  interruptedText,
  requeuedText,
} from "./user_texts.ts";

Deno.test("user_texts: GoIP error words are explained", () => {
  const table: [string, string][] = [
    [
      "GSM_LOGOUT",
      "the SIM is not registered on the GSM network (GSM_LOGOUT)",
    ],
    [
      "PASSWORD",
      "the GoIP refused the line's password (check the gateway password) (PASSWORD)",
    ],
    [
      "errorstatus:1",
      "the GSM network refused it: unassigned (unallocated) number (errorstatus:1)",
    ],
    [
      "errorstatus:38",
      "the GSM network refused it: network out of order (errorstatus:38)",
    ],
    [
      "errorstatus:3",
      "the GSM module could not send it (errorstatus:3); the number may be wrong or the SIM out of credit",
    ],
    ["Something odd", "the GoIP said: Something odd"],
    ["", "the GoIP reported an error"],
  ];
  for (const [why, text] of table) assertEquals(explainGoipError(why), text);
});

Deno.test("user_texts: failure texts say what failed and why", () => {
  const table: [Parameters<typeof failureText>, string][] = [
    [
      ["sms", { code: "goip-error", why: "errorstatus:3" }],
      "SMS not sent: the GSM module could not send it (errorstatus:3); the number may be wrong or the SIM out of credit",
    ],
    [
      ["sms", { code: "no-answer", seconds: 60 }],
      "SMS not sent: no answer from the GoIP within 60 s",
    ],
    [
      ["sms", { code: "no-final-answer", seconds: 60, sawWait: true }],
      "outcome uncertain: the GoIP accepted the SMS but never confirmed it within 60 s; it may or may not have sent it",
    ],
    [
      ["sms", { code: "no-final-answer", seconds: 60, sawWait: false }],
      "outcome uncertain: the GoIP never answered within 60 s; it may or may not have sent it",
    ],
    [
      ["sms", { code: "sendid-loop", restarts: 4 }],
      "SMS not sent: the GoIP refused 4 send ids in a row",
    ],
    [
      ["ussd", { code: "ussd-error", why: "network timeout" }],
      "USSD failed: network timeout",
    ],
    [
      ["ussd", { code: "ussd-error", why: " " }],
      "USSD failed: the network refused it",
    ],
    [
      ["ussd", { code: "ussd-timeout", seconds: 45 }],
      "USSD failed: no answer from the network within 45 s",
    ],
    [
      ["sms", { code: "bad-request", why: "the text is empty" }],
      "SMS not sent: the text is empty",
    ],
    [
      ["sms", { code: "internal", why: "disk full", maybeSent: false }],
      "SMS not sent: goippy failed while sending (disk full)",
    ],
    [
      ["sms", { code: "internal", why: "disk full", maybeSent: true }],
      "outcome uncertain: goippy failed while sending (disk full); the gateway may or may not have sent it",
    ],
    [
      ["ussd", { code: "goip-error", why: "GSM_LOGOUT" }],
      "USSD request not sent: the SIM is not registered on the GSM network (GSM_LOGOUT)",
    ],
  ];
  for (const [args, text] of table) assertEquals(failureText(...args), text);
});

Deno.test("user_texts: expiry, interruption, requeue", () => {
  assertEquals(
    expiredText("sms", 86400),
    "SMS not sent: line offline too long (waited more than 24 h)",
  );
  assertEquals(
    expiredText("ussd", 90),
    "USSD request not sent: line offline too long (waited more than 90 s)",
  );
  assertEquals(
    interruptedText("sms"),
    "outcome uncertain: goippy was interrupted while handing this SMS to the gateway; the gateway may or may not have sent it (not resent, to avoid a duplicate)",
  );
  assertEquals(
    requeuedText("GSM_LOGOUT", 100),
    "waiting: the SIM is not registered on the GSM network (GSM_LOGOUT); retrying in 100 s",
  );
});

Deno.test("user_texts: durations", () => {
  const table: [number, string][] = [
    [86400, "24 h"],
    [7200, "2 h"],
    [600, "10 min"],
    [90, "90 s"],
    [5, "5 s"],
  ];
  for (const [s, text] of table) assertEquals(formatDuration(s), text);
});
