/**
 * The gateway commands of the real CLI (`deno run <goippy flags> main.ts …`)
 * against a temp SQLite file and a real MariaDB: add/list/enable/disable/
 * remove, --status, and every refusal leaving the database as it was.
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { goippy } from "./support/cli.ts";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";

/** Runs the whole gateway story against the database `conf` points at. */
async function gatewayStory(conf: string) {
  const run = (...args: string[]) => goippy(["--config", conf, ...args]);
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  assertMatch(await ok("--listExt"), /no gateways/);
  assertMatch(await ok("--add", "2001", "secret123"), /goippy_2001/);
  await ok("--add", "2508", "abc123", "^\\+37255");
  await ok("--add", "2600", "pw", "-", "^\\+49"); // the original four-argument form
  const table = (await ok("--listExt")).trim().split("\n");
  assertMatch(
    table[0],
    /^ext +goip_id +msisdn +enabled +allow_regex +limits +last seen +address$/,
  );
  assertEquals(table.slice(1).map((l) => l.split(/ {2,}/)), [
    ["2001", "goippy_2001", "-", "yes", ".*", "-", "never", "-"],
    ["2508", "goippy_2508", "-", "yes", "^\\+37255", "-", "never", "-"],
    ["2600", "goippy_2600", "-", "yes", "^\\+49", "-", "never", "-"],
  ]);

  const before = await ok("--listExt");
  const refusals: [string[], RegExp][] = [
    [["--add", "2001", "other"], /gateway 2001 exists already/],
    [["--add", "2002"], /--add needs <ext> <pass>/],
    [["--add"], /--add needs/],
    [["--add", "20 02", "pw"], /extension "20 02" is not allowed/],
    [["--add", "x".repeat(33), "pw"], /is not allowed/],
    [["--add", "2002", "pass word"], /must not contain spaces/],
    [["--add", "2002", ""], /must not be empty/],
    [["--add", "2002", "pw", "(unclosed"], /does not compile/],
    [["--add", "2002", "pw", "-", "[z-a]"], /does not compile/],
    [["--remove", "9999"], /no gateway 9999/],
    [["--remove"], /--remove needs <ext>/],
    [["--enable", "9999"], /no gateway 9999/],
    [["--disable", "bad/ext"], /is not allowed/],
    [["--addd", "2002", "pw"], /unknown option --addd/],
    [["--add", "2002", "pw", "--remove", "2001"], /choose one command/],
    [["--limits", "2001", "hour=x"], /hour must be a whole number 0…/],
    [["--limits", "2001", "hour=5", "minute=1"], /"minute=1" is not a setting/],
    [["--limits", "9999", "hour=1"], /no gateway 9999/],
    [["--limits"], /--limits needs <ext>/],
  ];
  for (const [args, message] of refusals) {
    const r = await run(...args);
    assert(r.code !== 0, `${args.join(" ")} was accepted`);
    assertEquals(r.stdout, "", args.join(" "));
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assertMatch(r.stderr, message);
    assertMatch(r.stderr, /^goippy: /);
  }
  assertEquals(await ok("--listExt"), before, "a refusal changed the database");

  assertMatch(
    await ok("--limits", "2508", "hour=30", "interval=5", "recipients=0"),
    /^gateway 2508: 30 SMS per hour, none per day \(UTC\), none recipients per month \(UTC\); interval 5 s, jitter 0 s \(own: hour=30 recipients=0 interval=5; the rest from the config\)\n$/,
  );
  assertMatch(
    await ok("--listExt"),
    /\n2508 +goippy_2508 +- +yes +\S+ +hour=30 recipients=0 interval=5 +never/,
  );
  assertMatch(
    await ok("--limits", "2508", "hour=-"),
    /own: recipients=0 interval=5/,
  );
  assertMatch(
    await ok("--limits", "2508", "default"),
    /\(all from the config\)/,
  );
  assertEquals(
    await ok("--listExt"),
    before,
    "default did not clear the limits",
  );

  assertMatch(await ok("--disable", "2001"), /disabled gateway 2001/);
  assertMatch(await ok("--listExt"), /\n2001 +goippy_2001 +- +no /);
  const status = await ok("--status");
  assertMatch(status, /lines: 0 online of 3/);
  assertMatch(status, /\n2001 +goippy_2001 +- +disabled /);
  assertMatch(status, /\n2508 +goippy_2508 +- +never seen /);
  assertMatch(status, /queues: to XMPP 0 pending; to GoIP 0 queued, 0 sending/);
  await ok("--enable", "2001");
  assertMatch(await ok("--listExt"), /\n2001 +goippy_2001 +- +yes /);
  assertMatch(await ok("--remove", "2508"), /removed gateway 2508/);
  const left = await ok("--listExt");
  assert(!left.includes("2508"), left);
  assert(left.includes("goippy_2600"), left);
  const again = await run("--remove", "2508");
  assertEquals(again.code, 1);
  assertMatch(again.stderr, /no gateway 2508/);
}

Deno.test("gateway commands on SQLite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const conf = `${dir}/goippy.conf`;
    await Deno.writeTextFile(
      conf,
      `SQLITE_PATH = "${dir}/db.sqlite3"\n`,
      { mode: 0o600 },
    );
    await gatewayStory(conf);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "gateway commands on MariaDB",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  async fn() {
    const db = await startMariaDb();
    if (!db) throw new Error(MARIADB_MISSING);
    const dir = await Deno.makeTempDir();
    try {
      const conf = `${dir}/goippy.conf`;
      await Deno.writeTextFile(
        conf,
        [
          `DB_BACKEND = "mysql"`,
          `DB_HOST = "${db.host}"`,
          `DB_PORT = ${db.port}`,
          `DB_USER = "${db.user}"`,
          `DB_PASS = "${db.password}"`,
          `DB_NAME = "${db.database}"`,
          "",
        ].join("\n"),
        { mode: 0o600 },
      );
      await gatewayStory(conf);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await db.stop();
    }
  },
});
