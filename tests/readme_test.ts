/**
 * The README's first steps stay true: every test that only runs when an
 * environment variable is set says which one in the README, the offline
 * pre-fetch of the dependencies is there, and every config key is in the
 * configuration table.
 */

import { ok as assert } from "node:assert/strict";
import { KEYS } from "../src/config/schema.ts";

const ROOT = new URL("..", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));

Deno.test("the README names the variable each env-gated test needs", async () => {
  const gates: string[] = [];
  for await (const e of Deno.readDir(new URL("tests/", ROOT))) {
    if (!e.name.endsWith("_test.ts")) continue;
    const text = await Deno.readTextFile(new URL(`tests/${e.name}`, ROOT));
    for (const m of text.matchAll(/ignore: !Deno\.env\.get\("(\w+)"\)/g)) {
      gates.push(m[1]);
    }
  }
  assert(gates.length > 0, "no env-gated test found: the pattern is stale");
  for (const v of gates) assert(README.includes(v), `${v} missing from README`);
});

Deno.test("the README says how to fetch the dependencies for an offline box", () => {
  assert(README.includes("\n    deno install\n"), "deno install");
  assert(/first `deno task`.*fetches/s.test(README), "first task fetches");
});

Deno.test("the README's configuration table lists every key", () => {
  for (const key of Object.keys(KEYS)) {
    assert(README.includes(`| \`${key}\``), `${key} missing from README`);
  }
});
