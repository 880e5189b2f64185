import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultConfig } from "../config/defaults.ts";
import { storeUnreachable } from "./wait.ts";

Deno.test("storeUnreachable: only a MySQL server down or unreachable, also as a cause", () => {
  const mysql = { ...defaultConfig(), DB_BACKEND: "mysql" as const };
  const sqlite = { ...defaultConfig(), DB_BACKEND: "sqlite" as const };
  const refused = Object.assign(new Error("connect ECONNREFUSED"), {
    code: "ECONNREFUSED",
    syscall: "connect",
  });
  const wrapped = new Error("cannot connect to MySQL", { cause: refused });
  const denied = Object.assign(new Error("Access denied"), {
    code: "ER_ACCESS_DENIED_ERROR",
    errno: 1045,
    fatal: true,
  });
  const cases: [string, typeof mysql | typeof sqlite, unknown, boolean][] = [
    ["refused", mysql, refused, true],
    ["refused, wrapped", mysql, wrapped, true],
    ["lost", mysql, { code: "PROTOCOL_CONNECTION_LOST", fatal: true }, true],
    ["no host", mysql, { code: "ENOTFOUND", syscall: "getaddrinfo" }, true],
    ["too many connections", mysql, { code: "ER_CON_COUNT_ERROR" }, true],
    ["wrong password", mysql, new Error("x", { cause: denied }), false],
    ["no database", mysql, { code: "ER_BAD_DB_ERROR", errno: 1049 }, false],
    ["schema error", mysql, new Error("schema 99 is newer"), false],
    ["sqlite", sqlite, refused, false],
  ];
  for (const [name, config, err, want] of cases) {
    assertEquals(storeUnreachable(config, err), want, name);
  }
});
