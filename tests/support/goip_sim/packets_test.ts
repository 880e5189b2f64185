import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  formatDeliver,
  formatEvent,
  formatHangup,
  formatKeepalive,
  formatReceive,
  formatRecord,
  formatUssn,
  parseServerCommand,
  type ServerCommand,
} from "./packets.ts";
import { dropper, seededRandom } from "./prng.ts";

const WHO = { id: "goip-1", password: "goip" };
const KA = {
  num: "+37255512345",
  signal: 29,
  imei: "861234567890123",
  imsi: "248010000000001",
  iccid: "8937201000000000001",
  pro: "EMT",
};

Deno.test("formatKeepalive sends the full modern field set in device order", () => {
  assertEquals(
    formatKeepalive(27, WHO, KA),
    "req:27;id:goip-1;pass:goip;num:+37255512345;signal:29;gsm_status:LOGIN;" +
      "voip_status:LOGOUT;voip_state:IDLE;remain_time:-1;" +
      "imei:861234567890123;imsi:248010000000001;iccid:8937201000000000001;" +
      "pro:EMT;idle:11;disable_status:0;SMS_LOGIN:N;SMB_LOGIN:;" +
      "CELLINFO:LAC:7E5,CELL ID:5E5B;CGATT:Y;",
  );
});

Deno.test("formatKeepalive: overrides keep order, null drops, extras go last", () => {
  const text = formatKeepalive(-5, WHO, KA, {
    pass: "bad",
    signal: null,
    gsm_status: "LOGOUT",
    extra: "x:y",
  });
  assertEquals(
    text.startsWith(
      "req:-5;id:goip-1;pass:bad;num:+37255512345;gsm_status:LOGOUT;",
    ),
    true,
  );
  assertEquals(text.includes("signal"), false);
  assertEquals(text.endsWith("CGATT:Y;extra:x:y;"), true);
});

Deno.test("device event formats", () => {
  const cases: [string, string][] = [
    [
      formatReceive(1571812849, WHO, "+3725551234", "Hello; it's me: 1:2\nbye"),
      "RECEIVE:1571812849;id:goip-1;password:goip;srcnum:+3725551234;msg:Hello; it's me: 1:2\nbye",
    ],
    [
      formatReceive(-3, WHO, "1380013800", "测试", {
        smscnum: "+3725099000",
        passwordKey: "pass",
      }),
      "RECEIVE:-3;id:goip-1;pass:goip;srcnum:1380013800;smscnum:+3725099000;msg:测试",
    ],
    [
      formatDeliver(1571812803, WHO, 32, 0, "+861380013800"),
      "DELIVER:1571812803;id:goip-1;password:goip;sms_no:32;state:0;num:+861380013800",
    ],
    [
      formatRecord(7, WHO, 1, "+3725551234"),
      "RECORD:7;id:goip-1;password:goip;dir:1;num:+3725551234",
    ],
    [
      formatHangup(1571812814, WHO, "", "Normal call clearing"),
      "HANGUP:1571812814;id:goip-1;password:goip;num:,cause:Normal call clearing",
    ],
    [
      formatUssn(9, WHO, "Balance: 5; thanks"),
      "USSN:9;id:goip-1;password:goip;msg:Balance: 5; thanks",
    ],
    [
      formatEvent("STATE", 1571812793, WHO, {
        gsm_remain_state: "DIALING:123",
      }),
      "STATE:1571812793;id:goip-1;password:goip;gsm_remain_state:DIALING:123",
    ],
  ];
  for (const [got, want] of cases) assertEquals(got, want);
});

Deno.test("parseServerCommand reads what goippy sends to a device", () => {
  const cases: [string, ServerCommand][] = [
    ["SMS 12 3 pw +3725551234 hello  world\nline2", {
      kind: "sms",
      sendid: 12,
      telid: 3,
      password: "pw",
      number: "+3725551234",
      text: "hello  world\nline2",
    }],
    ["MSG 4 7 tere 🙂\n", { kind: "msg", sendid: 4, len: 7, text: "tere 🙂" }],
    ["PASSWORD 4 secret\n", {
      kind: "password",
      sendid: 4,
      password: "secret",
    }],
    ["SEND 4 9 +3725551234\n", {
      kind: "send",
      sendid: 4,
      telid: 9,
      number: "+3725551234",
    }],
    ["DONE 4\n", { kind: "done", sendid: 4 }],
    ["USSD 8 pw *100#", {
      kind: "ussd",
      sendid: 8,
      password: "pw",
      code: "*100#",
    }],
    ["USSD 8 pw *100#\n", {
      kind: "ussd",
      sendid: 8,
      password: "pw",
      code: "*100#\n",
    }],
    ["USSDEXIT 9 pw", { kind: "ussdexit", sendid: 9, password: "pw" }],
    ["get_gsm_num 5 pw", {
      kind: "control",
      command: "get_gsm_num",
      sendid: 5,
      args: [],
      password: "pw",
    }],
    ["set_gsm_num 6 +372555 pw", {
      kind: "control",
      command: "set_gsm_num",
      sendid: 6,
      args: ["+372555"],
      password: "pw",
    }],
    ["SMS 1 2 pw", { kind: "unknown", reason: "malformed SMS" }],
    ["MSG x 3 abc", { kind: "unknown", reason: "malformed MSG" }],
    ["SEND 4 x +372", { kind: "unknown", reason: "malformed SEND" }],
    ["HELLO 1 2", { kind: "unknown", reason: "unknown command HELLO" }],
    ["", { kind: "unknown", reason: "no sendid" }],
  ];
  for (const [raw, want] of cases) {
    assertEquals(parseServerCommand(raw), want, JSON.stringify(raw));
  }
});

Deno.test("seeded PRNG repeats for a seed and differs between seeds", () => {
  const take = (seed: number) => {
    const r = seededRandom(seed);
    return Array.from({ length: 8 }, () => r());
  };
  assertEquals(take(42), take(42));
  assertEquals(take(42).join() === take(43).join(), false);
  for (const x of take(7)) assertEquals(x >= 0 && x < 1, true);
  const d = dropper(0.5, 1);
  const drops = Array.from({ length: 1000 }, () => d()).filter(Boolean).length;
  assertEquals(drops > 400 && drops < 600, true, `dropped ${drops}/1000`);
  const never = dropper(0, 1);
  assertEquals(Array.from({ length: 100 }, () => never()).some(Boolean), false);
});
