import assert from "node:assert/strict";
import { classify, parseDbHosts, serverAway } from "./mysql_hosts.ts";

Deno.test("parseDbHosts: DB_HOST as a list of host[:port]", () => {
  const cases: [string, [string, number][]][] = [
    ["127.0.0.1", [["127.0.0.1", 3306]]],
    ["db1,db2:3307, db3 ", [["db1", 3306], ["db2", 3307], ["db3", 3306]]],
    ["[::1]:3310,[fe80::1]", [["::1", 3310], ["fe80::1", 3306]]],
    ["::1", [["::1", 3306]]],
    ["a,,b", [["a", 3306], ["b", 3306]]],
    ["", []],
  ];
  for (const [list, want] of cases) {
    assert.deepEqual(
      parseDbHosts(list, 3306).map((h) => [h.host, h.port]),
      want,
      list,
    );
  }
});

Deno.test("classify: which failures may be run again", () => {
  const cases: [unknown, string, boolean][] = [
    [{ errno: 1213, code: "ER_LOCK_DEADLOCK" }, "rolledBack", false],
    [{ errno: 1047, code: "ER_UNKNOWN_COM_ERROR" }, "notRun", true],
    [{ code: "ECONNREFUSED", syscall: "connect" }, "notRun", true],
    [{ code: "ETIMEDOUT", syscall: "connect", fatal: true }, "notRun", true],
    [{ code: "ENOTFOUND", syscall: "getaddrinfo" }, "notRun", true],
    [{ code: "ER_CON_COUNT_ERROR", errno: 1040 }, "notRun", true],
    // lost mid-statement: it may have been done
    [{ code: "PROTOCOL_CONNECTION_LOST", fatal: true }, "other", true],
    [{ code: "ETIMEDOUT", syscall: "read", fatal: true }, "other", true],
    [{ errno: 1062, code: "ER_DUP_ENTRY" }, "other", false],
    [new Error("boom"), "other", false],
    [undefined, "other", false],
  ];
  for (const [err, want, away] of cases) {
    assert.equal(classify(err), want, JSON.stringify(err));
    assert.equal(serverAway(err), away, JSON.stringify(err));
  }
});
