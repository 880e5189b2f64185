import {
  deepStrictEqual as assertEquals,
  rejects as assertRejects,
  throws as assertThrows,
} from "node:assert/strict";
import { applySettings, envSettings } from "./env_overlay.ts";
import { ConfigError, defaultConfig, loadConfig } from "./load.ts";

Deno.test("envSettings: GOIPPY_SET_* read as TOML values, others ignored", () => {
  const cases: [Record<string, string>, [string, unknown][]][] = [
    [{}, []],
    [{ GOIPPY_ROOT: "/x", GOIPPY_CONFIG: "/y", PATH: "/bin" }, []],
    [{ GOIPPY_SET_GOIP_UDP_PORT: "45000" }, [["GOIP_UDP_PORT", 45000]]],
    [{ GOIPPY_SET_DB_PASS: '"s3 cret"' }, [["DB_PASS", "s3 cret"]]],
    [{ GOIPPY_SET_LOG_TO_STDOUT: "true" }, [["LOG_TO_STDOUT", true]]],
    [{ GOIPPY_SET_ADMIN_JIDS: '["a@b"]' }, [["ADMIN_JIDS", ["a@b"]]]],
    [
      { GOIPPY_SET_B: "2", GOIPPY_SET_A: "1" },
      [["A", 1], ["B", 2]],
    ],
  ];
  for (const [env, want] of cases) {
    assertEquals(
      envSettings(env).map((s) => [s.key, s.value]),
      want,
      JSON.stringify(env),
    );
  }
});

Deno.test("envSettings: a value that is not TOML names its variable", () => {
  assertThrows(
    () => envSettings({ GOIPPY_SET_DB_PASS: "secret" }),
    (e) =>
      e instanceof ConfigError &&
      e.message.startsWith("GOIPPY_SET_DB_PASS: not a TOML value"),
  );
});

Deno.test("applySettings: replaces the key under any of its names", () => {
  const set = (key: string, value: unknown) => ({
    variable: `GOIPPY_SET_${key}`,
    key,
    value,
  });
  const cases: [Record<string, unknown>, string, unknown, object][] = [
    [{}, "GOIP_UDP_PORT", 1, { GOIP_UDP_PORT: 1 }],
    [{ GOIP_UDP_PORT: 2, DB_PASS: "x" }, "GOIP_UDP_PORT", 1, {
      GOIP_UDP_PORT: 1,
      DB_PASS: "x",
    }],
    [{ GOIP_PORT: 2 }, "GOIP_UDP_PORT", 1, { GOIP_UDP_PORT: 1 }],
    [{ GOIP_UDP_PORT: 2 }, "GOIP_PORT", 1, { GOIP_PORT: 1 }],
  ];
  for (const [raw, key, value, want] of cases) {
    assertEquals(applySettings(raw, [set(key, value)]), want);
  }
});

Deno.test("loadConfig: GOIPPY_SET_* over the built-in defaults and over a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const none = await loadConfig({
      env: { GOIPPY_ROOT: dir, GOIPPY_SET_GOIP_UDP_PORT: "45000" },
    });
    assertEquals(none.config, { ...defaultConfig(), GOIP_UDP_PORT: 45000 });
    assertEquals(none.notes, [
      `no config file at ${dir}/etc/goippy.conf: running on built-in defaults`,
      "GOIP_UDP_PORT set by GOIPPY_SET_GOIP_UDP_PORT",
    ]);

    const path = `${dir}/goippy.conf`;
    await Deno.writeTextFile(path, "GOIP_PORT = 1234\nDB_PASS = 'file'\n", {
      mode: 0o600,
    });
    const file = await loadConfig({
      path,
      env: { GOIPPY_SET_GOIP_UDP_PORT: "45000" },
    });
    assertEquals(file.config.GOIP_UDP_PORT, 45000);
    assertEquals(file.config.DB_PASS, "file");

    for (
      const [env, message] of [
        [
          { GOIPPY_SET_GOIP_UDP_PORT: '"x"' },
          /^GOIPPY_SET_GOIP_UDP_PORT: GOIP_UDP_PORT must be/,
        ],
        [{ GOIPPY_SET_NOPE: "1" }, /^GOIPPY_SET_NOPE: unknown key NOPE/],
      ] as const
    ) {
      await assertRejects(
        () => loadConfig({ path, env }),
        (e) => e instanceof ConfigError && message.test(e.message),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
