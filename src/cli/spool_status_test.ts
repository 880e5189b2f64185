import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { defaultConfig } from "../config/defaults.ts";
import { SpoolFile } from "../spool/spool_file.ts";
import { spoolStatus } from "./spool_status.ts";

Deno.test("spoolStatus: nothing for a missing or empty spool, a line with the count otherwise", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-spool-status-" });
  try {
    const config = { ...defaultConfig(), SPOOL_PATH: `${dir}/spool.sqlite3` };
    const now = 1_800_000_000_000;
    assertEquals(spoolStatus(config, now), null);
    const f = new SpoolFile(config.SPOOL_PATH, {});
    assertEquals(spoolStatus(config, now), null);
    for (const n of [1, 2]) {
      f.append({
        atMs: now - 60_000,
        goipId: "g",
        packet: `{"n":${n}}`,
        text: "",
      });
    }
    const line = spoolStatus(config, now) ?? "";
    ok(line.startsWith("spool: 2 events waiting for the store"), line);
    ok(line.includes("(1m ago)") || line.includes("60s ago"), line);
    f.close();
    assertEquals(spoolStatus({ ...config, SPOOL_MAX_MB: 0 }, now), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
