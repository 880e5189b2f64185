import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  formatAck,
  formatControl,
  formatDone,
  formatKeepaliveReply,
  formatMsg,
  formatPassword,
  formatSend,
  formatSms,
  formatUssd,
  formatUssdExit,
  maskCommand,
} from "./format.ts";

const CASES: [string, string, string][] = [
  ["keepalive 200", formatKeepaliveReply(27, 200), "reg:27;status:200;"],
  ["keepalive negative n", formatKeepaliveReply(-5, 404), "reg:-5;status:404;"],
  ["ack", formatAck("RECEIVE", 1571812849), "RECEIVE 1571812849 OK"],
  ["ack negative n", formatAck("DELIVER", -12), "DELIVER -12 OK"],
  ["ack other event", formatAck("CELLS", 3), "CELLS 3 OK"],
  [
    "sms",
    formatSms(100, 7, "secret", "+3725551234", "Hello; it's me"),
    "SMS 100 7 secret +3725551234 Hello; it's me",
  ],
  [
    "msg ascii",
    formatMsg(100, "Hello; it's me"),
    "MSG 100 14 Hello; it's me\n",
  ],
  ["msg utf-8 bytes", formatMsg(5, "測試😀"), "MSG 5 10 測試😀\n"],
  ["msg empty", formatMsg(5, ""), "MSG 5 0 \n"],
  ["password", formatPassword(100, "secret"), "PASSWORD 100 secret\n"],
  ["send", formatSend(100, 7, "+3725551234"), "SEND 100 7 +3725551234\n"],
  ["done", formatDone(100), "DONE 100\n"],
  ["ussd", formatUssd(100, "secret", "*100#"), "USSD 100 secret *100#"],
  ["ussdexit", formatUssdExit(100, "secret"), "USSDEXIT 100 secret"],
  ["control", formatControl("get_gsm_num", 9, "pw"), "get_gsm_num 9 pw"],
  [
    "control with value",
    formatControl("set_gsm_num", 9, "pw", "+3725551234"),
    "set_gsm_num 9 +3725551234 pw",
  ],
];

for (const [name, got, want] of CASES) {
  Deno.test(`format: ${name}`, () => assertEquals(got, want));
}

const MASKS: [string, string][] = [
  [
    "SMS 100 7 secret +3725551234 hi there",
    "SMS 100 7 *** +3725551234 hi there",
  ],
  ["PASSWORD 100 secret\n", "PASSWORD 100 ***\n"],
  ["USSD 100 secret *100#", "USSD 100 *** *100#"],
  ["USSDEXIT 100 secret", "USSDEXIT 100 ***"],
  ["get_gsm_num 9 pw", "get_gsm_num 9 ***"],
  ["set_gsm_num 9 +3725551234 pw", "set_gsm_num 9 +3725551234 ***"],
  ["MSG 100 5 hello\n", "MSG 100 5 hello\n"],
  ["SEND 100 7 +3725551234\n", "SEND 100 7 +3725551234\n"],
  ["reg:1;status:200;", "reg:1;status:200;"],
  ["", ""],
];

for (const [input, want] of MASKS) {
  Deno.test(`maskCommand: ${JSON.stringify(input)}`, () =>
    assertEquals(maskCommand(input), want));
}
