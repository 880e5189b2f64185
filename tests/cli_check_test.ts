/**
 * `--check` tries what the daemon does at start: a config it passes also
 * starts, and each thing that would stop the daemon (SQLite directory
 * missing, MySQL refused / wrong password / unknown database, UDP port in
 * use, XMPP host unresolvable) is one line naming the fix.
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { goippy } from "./support/cli.ts";
import { freeUdpPort } from "./support/ports.ts";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";

async function inTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Write `lines` as a mode-0600 config in `dir`; returns its path. */
async function config(dir: string, lines: string[]): Promise<string> {
  const path = `${dir}/goippy.conf`;
  await Deno.writeTextFile(path, lines.join("\n") + "\n", { mode: 0o600 });
  return path;
}

const check = (conf: string) => goippy(["--config", conf, "--check"]);

Deno.test("--check: a missing SQLite directory is named with its fix, and the daemon says the same", async () => {
  await inTempDir(async (dir) => {
    const conf = await config(dir, [
      `SQLITE_PATH = "${dir}/state/goippy.sqlite3"`,
      `GOIP_UDP_BIND = "127.0.0.1"`,
      `GOIP_UDP_PORT = ${freeUdpPort()}`,
    ]);
    const fix = `the directory ${dir}/state does not exist: create it ` +
      `\\(mkdir -p ${dir}/state, owned by the user goippy runs as\\) or set SQLITE_PATH`;
    const r = await check(conf);
    assertEquals(r.code, 1, r.stderr);
    assertMatch(
      r.stderr,
      new RegExp(`SQLITE_PATH ${dir}/state/goippy\\.sqlite3: ${fix}`),
    );
    assertMatch(r.stderr, /test failed/);
    // nothing was created
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), [
      "goippy.conf",
    ]);

    const list = await goippy(["--config", conf, "--listExt"]);
    assertEquals(list.code, 1);
    assertEquals(
      list.stderr,
      `goippy: cannot open SQLite database ${dir}/state/goippy.sqlite3: ` +
        `${fix.replaceAll("\\", "")}\n`,
    );

    await Deno.mkdir(`${dir}/state`);
    const ok = await check(conf);
    assertEquals(ok.code, 0, ok.stderr);
    assertMatch(ok.stderr, /test is successful/);
  });
});

Deno.test("--check: a SPOOL_PATH in a missing directory is named with its fix", async () => {
  await inTempDir(async (dir) => {
    const conf = await config(dir, [
      `SQLITE_PATH = "${dir}/goippy.sqlite3"`,
      `SPOOL_PATH = "${dir}/spool/goippy-spool.sqlite3"`,
      `GOIP_UDP_BIND = "127.0.0.1"`,
      `GOIP_UDP_PORT = ${freeUdpPort()}`,
    ]);
    const r = await check(conf);
    assertEquals(r.code, 1, r.stderr);
    assertMatch(
      r.stderr,
      new RegExp(
        `SPOOL_PATH ${dir}/spool/goippy-spool\\.sqlite3: the directory ` +
          `${dir}/spool does not exist: .* or set SPOOL_PATH`,
      ),
    );
  });
});

Deno.test("--check: a sample written with --sample FILE passes as written", async () => {
  await inTempDir(async (dir) => {
    const conf = `${dir}/x.conf`;
    assertEquals((await goippy(["--sample", conf])).code, 0);
    // the default port may be taken on a shared machine; the sample's
    // database path is what this is about
    const text = await Deno.readTextFile(conf);
    await Deno.writeTextFile(
      conf,
      text.replace(
        "# GOIP_UDP_PORT = 44444",
        `GOIP_UDP_PORT = ${freeUdpPort()}`,
      ),
    );
    const r = await check(conf);
    assertEquals(r.code, 0, r.stderr);
  });
});

Deno.test("--check: a UDP port in use is refused with the fix", async () => {
  await inTempDir(async (dir) => {
    const busy = Deno.listenDatagram({
      hostname: "127.0.0.1",
      port: 0,
      transport: "udp",
    });
    try {
      const port = (busy.addr as Deno.NetAddr).port;
      const conf = await config(dir, [
        `SQLITE_PATH = "${dir}/goippy.sqlite3"`,
        `GOIP_UDP_BIND = "127.0.0.1"`,
        `GOIP_UDP_PORT = ${port}`,
      ]);
      const r = await check(conf);
      assertEquals(r.code, 1, r.stderr);
      assertEquals(
        r.stderr.split("\n").filter((l) => l.includes("UDP")),
        [
          `goippy: GoIP UDP 127.0.0.1:${port} is already in use (another goippy?): ` +
          "stop the other program or set GOIP_UDP_PORT",
        ],
      );
      // the daemon says the same when it cannot start
      const daemon = await goippy(["--config", conf]);
      assertEquals(daemon.code, 1);
      assertMatch(
        daemon.stdout,
        new RegExp(
          `ERROR cannot start: GoIP UDP 127\\.0\\.0\\.1:${port} is already in use`,
        ),
      );
    } finally {
      busy.close();
    }
  });
});

Deno.test("--check: a METRICS_BIND port in use is refused with the fix", async () => {
  await inTempDir(async (dir) => {
    const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const port = (busy.addr as Deno.NetAddr).port;
      const r = await check(
        await config(dir, [
          `SQLITE_PATH = "${dir}/goippy.sqlite3"`,
          `GOIP_UDP_BIND = "127.0.0.1"`,
          `GOIP_UDP_PORT = ${freeUdpPort()}`,
          `METRICS_BIND = "127.0.0.1:${port}"`,
        ]),
      );
      assertEquals(r.code, 1, r.stderr);
      assert(
        r.stderr.includes(
          `goippy: METRICS_BIND 127.0.0.1:${port} is already in use: ` +
            "stop the other program or set METRICS_BIND\n",
        ),
        r.stderr,
      );
    } finally {
      busy.close();
    }
  });
});

Deno.test("--check: an XMPP host that does not resolve is refused; an address is fine", async () => {
  await inTempDir(async (dir) => {
    const lines = [
      `SQLITE_PATH = "${dir}/goippy.sqlite3"`,
      `GOIP_UDP_BIND = "127.0.0.1"`,
      `GOIP_UDP_PORT = ${freeUdpPort()}`,
      `XMPP_COMPONENT_JID = "sms.example.org"`,
      `XMPP_COMPONENT_SECRET = "s"`,
    ];
    const bad = await check(
      await config(dir, [...lines, `XMPP_HOST = "no-such-host.invalid"`]),
    );
    assertEquals(bad.code, 1, bad.stderr);
    assertMatch(
      bad.stderr,
      /goippy: XMPP_HOST no-such-host\.invalid does not resolve \(\w+\): set XMPP_HOST/,
    );
    // the server need not be up: the daemon keeps trying to connect
    const good = await check(
      await config(dir, [...lines, `XMPP_HOST = "127.0.0.1"`, "XMPP_PORT = 1"]),
    );
    assertEquals(good.code, 0, good.stderr);
  });
});

Deno.test({
  name:
    "--check: MySQL wrong password, unknown database and refused connection each say so",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  fn: async () => {
    const db = await startMariaDb();
    if (!db) return console.warn(MARIADB_MISSING);
    try {
      await inTempDir(async (dir) => {
        const run = async (over: Record<string, string | number>) => {
          const keys = {
            DB_BACKEND: "mysql",
            DB_HOST: db.host,
            DB_PORT: db.port,
            DB_USER: db.user,
            DB_PASS: db.password,
            DB_NAME: db.database,
            GOIP_UDP_BIND: "127.0.0.1",
            GOIP_UDP_PORT: freeUdpPort(),
            ...over,
          };
          const conf = await config(
            dir,
            Object.entries(keys).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
          );
          return await check(conf);
        };
        const where = `MySQL at ${db.host}:${db.port}`;

        const ok = await run({});
        assertEquals(ok.code, 0, ok.stderr);

        const pw = await run({ DB_PASS: "wrong" });
        assertEquals(pw.code, 1);
        assert(
          pw.stderr.includes(
            `goippy: ${where}: access denied for user ${db.user} (wrong DB_USER or DB_PASS`,
          ),
          pw.stderr,
        );

        const name = await run({ DB_NAME: "no_such_db" });
        assertEquals(name.code, 1);
        assert(
          name.stderr.includes(
            `goippy: ${where}: unknown database no_such_db: create it`,
          ),
          name.stderr,
        );

        await db.pause();
        const refused = await run({});
        await db.resume();
        assertEquals(refused.code, 1);
        assert(
          refused.stderr.includes(`goippy: ${where}: connection refused`),
          refused.stderr,
        );
      });
    } finally {
      await db.stop();
    }
  },
});
