import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { bulkWritesSupported } from "./sql_line_state.ts";

Deno.test("bulkWritesSupported: which MySQL/MariaDB servers take the JSON form", () => {
  const cases: [string, boolean][] = [
    ["10.11.6-MariaDB-0+deb12u1", true],
    ["5.5.5-10.11.6-MariaDB-0+deb12u1", true],
    ["10.6.0-MariaDB", true],
    ["10.5.23-MariaDB-0+deb11u1", false],
    ["10.3.39-MariaDB-0+deb10u2", false],
    ["11.4.2-MariaDB", true],
    ["8.0.36", true],
    ["8.0.4-rc-log", true],
    ["8.0.3-rc", false],
    ["5.7.44-log", false],
    ["9.1.0", true],
    ["", false],
    ["MariaDB", false],
  ];
  for (const [version, want] of cases) {
    assertEquals(bulkWritesSupported(version), want, version);
  }
});
