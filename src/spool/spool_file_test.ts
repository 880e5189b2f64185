/** SpoolFile: counting the waiting records of one packet type. */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SET_ASIDE_AFTER, SpoolFile } from "./spool_file.ts";

const rec = (packet: unknown) => ({
  atMs: 1,
  goipId: "goippy_2001",
  packet: JSON.stringify(packet),
  text: "",
});

Deno.test("SpoolFile.depthOfType counts waiting records of that type only", () => {
  const dir = Deno.makeTempDirSync({ prefix: "goippy-spoolfile-" });
  const file = new SpoolFile(`${dir}/spool.sqlite3`, {});
  try {
    file.appendMany([
      rec({ type: "receive", n: 1 }),
      rec({ type: "outbound", kind: "final" }),
      rec({ type: "deliver", n: 2 }),
      rec({ type: "outbound", kind: "late" }),
      // Not a prefix match on a longer type name.
      rec({ type: "outboundx" }),
    ]);
    const cases: [string, number][] = [
      ["outbound", 2],
      ["receive", 1],
      ["deliver", 1],
      ["hangup", 0],
    ];
    for (const [type, n] of cases) {
      assertEquals(file.depthOfType(type), n, type);
    }
    // A record set aside after its failed replays no longer counts.
    const [, first] = file.oldest(5);
    for (let i = 0; i < SET_ASIDE_AFTER; i++) file.failed(first.id);
    assertEquals(file.depthOfType("outbound"), 1);
    file.removeMany(file.oldest(5).map((r) => r.id));
    assertEquals(file.depthOfType("outbound"), 0);
  } finally {
    file.close();
    Deno.removeSync(dir, { recursive: true });
  }
});
