import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { defaultConfig, parseConfigText } from "./load.ts";
import { SAMPLE_CONFIG, sampleConfig } from "./sample.ts";
import { KEYS } from "./schema.ts";

Deno.test("the sample loads and equals the defaults except the SQLite path", () => {
  assertEquals(parseConfigText(SAMPLE_CONFIG), {
    ...defaultConfig(),
    SQLITE_PATH: "/var/lib/goippy/goippy.sqlite3",
  });
  assertEquals(
    parseConfigText(sampleConfig({ sqlitePath: "/srv/a b.sqlite3" }))
      .SQLITE_PATH,
    "/srv/a b.sqlite3",
  );
});

Deno.test("the sample shows every key with its default, and each uncommented line still loads", () => {
  const defaults = defaultConfig() as unknown as Record<string, unknown>;
  for (const key of Object.keys(KEYS)) {
    const line = SAMPLE_CONFIG.split("\n").find((l) =>
      l.replace(/^# /, "").startsWith(`${key} = `)
    );
    assert(line, `${key} missing from the sample`);
    if (key === "SQLITE_PATH") continue;
    const config = parseConfigText(
      line.replace(/^# /, ""),
    ) as unknown as Record<
      string,
      unknown
    >;
    assertEquals(config[key], defaults[key], key);
  }
});
