import assert from "node:assert/strict";
import { boolOrNull, clip, num, numOrNull, str, toGateway } from "./rows.ts";

Deno.test("clip cuts by characters (code points), never inside a pair", () => {
  const cases: [string, number, string][] = [
    ["", 3, ""],
    ["abc", 3, "abc"],
    ["abcd", 3, "abc"],
    ["😀😀😀😀", 2, "😀😀"],
    ["Привет", 3, "При"],
    ["a😀b", 2, "a😀"],
  ];
  for (const [s, max, want] of cases) assert.equal(clip(s, max), want, s);
});

Deno.test("column conversions: NULL, 0/1 and numeric strings", () => {
  assert.equal(str(null), "");
  assert.equal(str(undefined), "");
  assert.equal(str(12), "12");
  assert.equal(num(null), 0);
  assert.equal(num("42"), 42);
  assert.equal(numOrNull(null), null);
  assert.equal(numOrNull(0), 0);
  assert.equal(boolOrNull(null), null);
  assert.equal(boolOrNull(0), false);
  assert.equal(boolOrNull(1), true);
});

Deno.test("toGateway: original rows with NULL regex/enabled get the old defaults", () => {
  assert.deepEqual(
    toGateway({
      id: 3,
      ext: "2001",
      goip_id: "goippy_2001",
      goip_pass: "pw",
      channel: null,
      msisdn: null,
      allow_regex: null,
      enabled: null,
    }),
    {
      id: 3,
      ext: "2001",
      goipId: "goippy_2001",
      goipPass: "pw",
      channel: null,
      msisdn: "",
      allowRegex: ".*",
      enabled: true,
    },
  );
});
