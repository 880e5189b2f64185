/**
 * The config side of the real CLI: --version, --help, --sample (mode 0600,
 * --force), --check (secrets masked, errors with key and line), missing
 * config files, and a daemon refusing to start on a bad config.
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { goippy } from "./support/cli.ts";
import { SAMPLE_CONFIG, sampleConfig } from "../src/config/sample.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";
import { defaultConfig } from "../src/config/load.ts";
import { VERSION } from "../src/version.ts";

async function inTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const mode = async (path: string) => (await Deno.stat(path)).mode! & 0o777;

Deno.test("--version and --help", async () => {
  const v = await goippy(["--version"]);
  assertEquals(v.code, 0);
  assertEquals(
    v.stdout,
    `goippy ${VERSION}\ndeno ${Deno.version.deno}\nstores: sqlite, mysql\n`,
  );
  const h = await goippy(["--help"]);
  assertEquals(h.code, 0);
  for (
    const usage of [
      "--add <ext> <pass> [allow_regex]",
      "--add <ext> <pass> <channel|-> [allow_regex]",
      "--listExt",
      "--sample [FILE] [--force]",
      "--send <ext> <number> <text…>",
      "--ussd <ext> <code>",
      "--install [postfix]",
    ]
  ) assert(h.stdout.includes(usage), usage);
});

Deno.test("an unknown flag is refused in one line", async () => {
  const r = await goippy(["--frobnicate"]);
  assertEquals([r.code, r.stdout], [1, ""]);
  assertEquals(
    r.stderr,
    "goippy: unknown option --frobnicate; see goippy --help\n",
  );
});

Deno.test("--sample writes mode 0600 and refuses to overwrite without --force", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/sample.conf`;
    // away from /etc/goippy.conf, the database lies beside the config
    const beside = sampleConfig({ sqlitePath: `${dir}/goippy.sqlite3` });
    const first = await goippy(["--sample", file]);
    assertEquals(first.code, 0, first.stderr);
    assertEquals(await Deno.readTextFile(file), beside);
    assertEquals(await mode(file), 0o600);

    await Deno.writeTextFile(file, "# mine\n");
    await Deno.chmod(file, 0o644);
    const again = await goippy(["--sample", file]);
    assertEquals(again.code, 1);
    assertMatch(again.stderr, /exists already; use --force to overwrite it/);
    assertEquals(await Deno.readTextFile(file), "# mine\n");

    const forced = await goippy(["--sample", file, "--force"]);
    assertEquals(forced.code, 0, forced.stderr);
    assertEquals(await Deno.readTextFile(file), beside);
    assertEquals(await mode(file), 0o600);

    // The sample's values as written (its port is the default 44444: see
    // src/config/sample_test.ts) pass --check; only the UDP port is moved to
    // a free one, so a process holding 44444 on this machine changes nothing.
    const port = freeUdpPort();
    const checked = await goippy(["--config", file, "--check"], {
      env: { GOIPPY_SET_GOIP_UDP_PORT: String(port) },
    });
    assertEquals(checked.code, 0, checked.stderr);
    assertMatch(
      checked.stderr,
      /note: GOIP_UDP_PORT set by GOIPPY_SET_GOIP_UDP_PORT/,
    );
    assert(checked.stdout.includes(`GOIP_UDP_PORT = ${port}`), checked.stdout);

    const stdout = await goippy(["--sample", "-"]);
    assertEquals(stdout.stdout, SAMPLE_CONFIG);

    const nodir = await goippy(["--sample", `${dir}/no/such/dir.conf`]);
    assertEquals(nodir.code, 1);
    assertMatch(nodir.stderr, /cannot write .*: no such directory/);
  });
});

Deno.test("--sample's default path lies under GOIPPY_ROOT", async () => {
  await inTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/etc`);
    const r = await goippy(["--sample"], { env: { GOIPPY_ROOT: dir } });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(await mode(`${dir}/etc/goippy.conf`), 0o600);
    // the system config: the database in the state directory --install makes
    assertEquals(
      await Deno.readTextFile(`${dir}/etc/goippy.conf`),
      SAMPLE_CONFIG,
    );
    const again = await goippy(["--sample"], { env: { GOIPPY_ROOT: dir } });
    assertEquals(again.code, 1);
  });
});

Deno.test("--check prints the effective settings with secrets masked", async () => {
  await inTempDir(async (dir) => {
    const conf = `${dir}/goippy.conf`;
    const dbPort = freeTcpPort(); // nothing listens there
    await Deno.writeTextFile(
      conf,
      [
        "DB_BACKEND = 'mysql'",
        `DB_PORT = ${dbPort}`,
        "DB_PASS = 'pass_goippy'",
        "GOIP_PORT = 44445",
        "XMPP_DATA_DOMAIN = 'data.example.org'",
        "XMPP_COMPONENT_SECRET = 'YOUR_SECRET'",
        "LOG_TO_STDOUT = True",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const r = await goippy(["--config", conf, "--check"]);
    assert(!r.stdout.includes("pass_goippy"), r.stdout);
    assert(!r.stdout.includes("YOUR_SECRET"), r.stdout);
    for (
      const line of [
        'DB_BACKEND = "mysql"',
        'DB_PASS = "***"',
        'XMPP_COMPONENT_SECRET = "***"',
        "GOIP_UDP_PORT = 44445",
        'XMPP_COMPONENT_JID = "data.example.org"',
        'XMPP_DOMAIN = "example.org"',
        "LOG_TO_STDOUT = true",
      ]
    ) assert(r.stdout.split("\n").includes(line), line);
    assertEquals(r.code, 1);
    assertMatch(
      r.stderr,
      new RegExp(`MySQL at 127\\.0\\.0\\.1:${dbPort}: connection refused`),
    );
    assertMatch(r.stderr, /configuration file .* test failed/);
  });
});

Deno.test("--check and the daemon refuse a bad config, naming key and line", async () => {
  await inTempDir(async (dir) => {
    const conf = `${dir}/goippy.conf`;
    await Deno.writeTextFile(
      conf,
      "DB_BACKEND = 'sqlite'\n\nGOIP_UDP_PORT = 99999\n",
      { mode: 0o600 },
    );
    const r = await goippy(["--config", conf, "--check"]);
    assertEquals(r.code, 1);
    assertMatch(r.stderr, /GOIP_UDP_PORT \(line 3\) must be a port number/);
    assertMatch(r.stderr, /test failed/);
    const d = await goippy(["--config", conf]);
    assertEquals(d.code, 1);
    assertMatch(d.stderr, /GOIP_UDP_PORT \(line 3\)/);
    assert(!d.stdout.includes("listening"), d.stdout);

    await Deno.writeTextFile(conf, "LOG_LEVEL = 'info'\nFOO = 1\n");
    const u = await goippy(["--config", conf, "--listExt"]);
    assertEquals(u.code, 1);
    assertEquals(u.stderr, "goippy: unknown key FOO (line 2)\n");
  });
});

Deno.test("an explicitly named config that is missing is an error", async () => {
  await inTempDir(async (dir) => {
    for (const args of [["--check"], ["--listExt"], []]) {
      const r = await goippy(["--config", `${dir}/nope.conf`, ...args]);
      assertEquals(r.code, 1, args.join(" "));
      assertEquals(
        r.stderr.split("\n")[0],
        `goippy: cannot read config file ${dir}/nope.conf: no such file`,
      );
    }
    const e = await goippy(["--check"], {
      env: { GOIPPY_CONFIG: `${dir}/env.conf` },
    });
    assertEquals(e.code, 1);
    assertMatch(e.stderr, /env\.conf: no such file/);
  });
});

Deno.test("a missing default config means built-in defaults and a note", async () => {
  await inTempDir(async (dir) => {
    const env = { GOIPPY_ROOT: dir };
    // Every built-in default but the UDP port, which --check binds: a free
    // one instead of 44444, which something else on the machine may hold.
    assertEquals(defaultConfig().GOIP_UDP_PORT, 44444);
    const port = freeUdpPort();
    const r = await goippy(["--check"], {
      env: { ...env, GOIPPY_SET_GOIP_UDP_PORT: String(port) },
    });
    assertEquals(r.code, 0, r.stderr);
    assertMatch(
      r.stderr,
      new RegExp(
        `note: no config file at ${dir}/etc/goippy.conf: running on built-in defaults`,
      ),
    );
    assert(r.stdout.includes('SQLITE_PATH = "./goippy.sqlite3"'), r.stdout);
    assert(r.stdout.includes('GOIP_UDP_BIND = "0.0.0.0"'), r.stdout);
    assert(r.stdout.includes(`GOIP_UDP_PORT = ${port}`), r.stdout);
    // gateway commands then use ./goippy.sqlite3 in the working directory,
    // without the note: their errors are one line
    const add = await goippy(["--add", "2001", "pw"], { env, cwd: dir });
    assertEquals([add.code, add.stderr], [0, ""]);
    assert((await Deno.stat(`${dir}/goippy.sqlite3`)).isFile);
    for (
      const [args, error] of [
        [["--remove", "9999"], "no gateway 9999"],
        [["--disable", "9999"], "no gateway 9999"],
        [["--send", "9999", "+3725551234", "hi"], "no gateway 9999"],
      ]
    ) {
      const r = await goippy(args as string[], { env, cwd: dir });
      assertEquals([r.code, r.stderr], [1, `goippy: ${error}\n`]);
    }
  });
});

Deno.test("a config readable by others is used, with a warning", async () => {
  await inTempDir(async (dir) => {
    const conf = `${dir}/goippy.conf`;
    await Deno.writeTextFile(conf, `SQLITE_PATH = "${dir}/db.sqlite3"\n`);
    await Deno.chmod(conf, 0o644);
    const r = await goippy(["--config", conf, "--listExt"]);
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stderr, /readable by group\/others \(mode 0644\)/);
  });
});
