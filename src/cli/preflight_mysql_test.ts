import { match as assertMatch } from "node:assert/strict";
import { defaultConfig } from "../config/defaults.ts";
import { explainMysqlError } from "./preflight_mysql.ts";

Deno.test("explainMysqlError names the failing part and its fix", () => {
  const config = { ...defaultConfig(), DB_HOST: "db.lan", DB_NAME: "sms" };
  const cases: [string, RegExp][] = [
    ["ECONNREFUSED", /^connection refused: .*set DB_HOST\/DB_PORT$/],
    ["ETIMEDOUT", /^host unreachable \(no answer within 3 s\)/],
    ["EHOSTUNREACH", /^host unreachable .*firewall$/],
    ["ENOTFOUND", /^host name db\.lan does not resolve: set DB_HOST$/],
    [
      "ER_ACCESS_DENIED_ERROR",
      /^access denied for user goippy \(wrong DB_USER or DB_PASS/,
    ],
    [
      "ER_BAD_DB_ERROR",
      /^unknown database sms: create it \(CREATE DATABASE sms/,
    ],
    [
      "ER_DBACCESS_DENIED_ERROR",
      /^user goippy may not use database sms: GRANT ALL ON sms\.\*/,
    ],
    ["EWHATEVER", /^boom$/],
  ];
  for (const [code, want] of cases) {
    const err = Object.assign(new Error("boom"), { code });
    assertMatch(explainMysqlError(err, config), want, code);
  }
});
