import assert from "node:assert/strict";
import { contentHash } from "./sql_receive.ts";

Deno.test("contentHash: equal for a retransmission, different for another SMS", () => {
  const base = contentHash({ srcnum: "+1", body: "hi" });
  assert.match(base, /^[0-9a-f]{32}$/);
  const cases: [srcnum: string, body: string, same: boolean][] = [
    ["+1", "hi", true],
    ["+1", "hi ", false],
    ["+2", "hi", false],
    ["+1hi", "", false],
    ["", "+1hi", false],
  ];
  for (const [srcnum, body, same] of cases) {
    assert.equal(
      contentHash({ srcnum, body }) === base,
      same,
      JSON.stringify([srcnum, body]),
    );
  }
});
