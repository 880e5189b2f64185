import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { createLogger, maskSecrets } from "./log.ts";
import type { LogLevel } from "./config/types.ts";

function capture(level: LogLevel, journald: boolean) {
  const lines: string[] = [];
  const log = createLogger({ level, journald, write: (l) => lines.push(l) });
  return { log, lines };
}

function all(log: ReturnType<typeof createLogger>) {
  log.error("e");
  log.warn("w");
  log.info("i");
  log.debug("d");
}

Deno.test("log level filters quieter-than-or-equal levels", () => {
  const table: [LogLevel, string[]][] = [
    ["error", ["<3>e"]],
    ["warn", ["<3>e", "<4>w"]],
    ["info", ["<3>e", "<4>w", "<6>i"]],
    ["debug", ["<3>e", "<4>w", "<6>i", "<7>d"]],
  ];
  for (const [level, want] of table) {
    const { log, lines } = capture(level, true);
    all(log);
    assertEquals(lines, want, level);
  }
});

Deno.test("the level can be changed at run time (SIGHUP reload)", () => {
  const { log, lines } = capture("info", true);
  log.debug("hidden");
  log.level = "debug";
  log.debug("shown");
  assertEquals(lines, ["<7>shown"]);
  assertEquals(log.enabled("debug"), true);
});

Deno.test("journald lines have syslog prefixes and no timestamp; others have both", () => {
  const j = capture("debug", true);
  j.log.info("goippy listening on udp 0.0.0.0:44444 (sqlite)");
  assertEquals(j.lines, ["<6>goippy listening on udp 0.0.0.0:44444 (sqlite)"]);
  const t = capture("debug", false);
  t.log.warn("careful");
  t.log.debug("details");
  match(t.lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN {2}careful$/);
  match(t.lines[1], /^\S+Z DEBUG details$/);
});

Deno.test("maskSecrets hides passwords in packets and commands", () => {
  const table: [string, string][] = [
    [
      "req:27;id:goip_1;pass:secret;num:+372;signal:29;",
      "req:27;id:goip_1;pass:***;num:+372;signal:29;",
    ],
    [
      "RECEIVE:157;id:goip_1;password:s3cr;et;srcnum:+3725551234;msg:Hi",
      "RECEIVE:157;id:goip_1;password:***;et;srcnum:+3725551234;msg:Hi",
    ],
    ["DELIVER:1;id:g;Password:x y", "DELIVER:1;id:g;Password:*** y"],
    [
      "SMS 1 1 secret +3725551234 Hello there",
      "SMS 1 1 *** +3725551234 Hello there",
    ],
    [
      "udp -> 10.0.0.5:9991: SMS 1700000001 1 pw +1 x",
      "udp -> 10.0.0.5:9991: SMS 1700000001 1 *** +1 x",
    ],
    ["PASSWORD 5 secret", "PASSWORD 5 ***"],
    ["PASSWORD 5 secret\n", "PASSWORD 5 ***\n"],
    ["PASSWORD 5", "PASSWORD 5"],
    ["USSD 3 secret *100#", "USSD 3 *** *100#"],
    ["USSDEXIT 3 secret", "USSDEXIT 3 ***"],
    ["get_gsm_num 7 secret", "get_gsm_num 7 ***"],
    ["set_gsm_num 7 +3725551234 secret", "set_gsm_num 7 +3725551234 ***"],
    ["svr_reboot_dev 8 secret", "svr_reboot_dev 8 ***"],
    ["GSM 9 secret", "GSM 9 ***"],
    ["CF 9 secret 0 1 +100 20", "CF 9 *** 0 1 +100 20"],
    // Nothing secret: left alone.
    ["MSG 4 5 Hello", "MSG 4 5 Hello"],
    ["SEND 4 1 +3725551234", "SEND 4 1 +3725551234"],
    ["DONE 4", "DONE 4"],
    ["reg:27;status:200;", "reg:27;status:200;"],
    ["USSD 3 Your balance: 5 EUR", "USSD 3 Your balance: 5 EUR"],
  ];
  for (const [input, want] of table) {
    assertEquals(maskSecrets(input), want, input);
  }
});

Deno.test("the logger masks everything it writes", () => {
  const { log, lines } = capture("debug", true);
  log.debug("udp <- 127.0.0.1:9991: req:1;id:goippy_2001;pass:hunter2;");
  log.info("udp -> 127.0.0.1:9991: USSD 17 hunter2 *100#");
  assertEquals(lines, [
    "<7>udp <- 127.0.0.1:9991: req:1;id:goippy_2001;pass:***;",
    "<6>udp -> 127.0.0.1:9991: USSD 17 *** *100#",
  ]);
  for (const l of lines) assertEquals(l.includes("hunter2"), false);
});
