/**
 * MariaDB away at goippy's start: goippy starts on the gateways' snapshot in
 * its spool, answers the line's keepalive and acknowledges its SMS at once
 * (no resend, device timing), and once MariaDB is up it migrates, replays the
 * spool, connects to XMPP: every SMS in MariaDB once and delivered once.
 * And the first start ever (no snapshot) with no database still exits 1
 * with one clear line.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import mysql from "mysql2/promise";
import { chatBodies, startRig } from "./support/fault_rig.ts";
import { goippy } from "./support/cli.ts";
import { startDaemon } from "./support/daemon.ts";
import {
  type MariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import { waitFor } from "./support/poll.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";

async function inboxBodies(maria: MariaDb, database: string) {
  const c = await mysql.createConnection({
    host: maria.host,
    port: maria.port,
    user: maria.user,
    password: maria.password,
    database,
  });
  try {
    const [rows] = await c.query(
      "SELECT body FROM goippy_inbox WHERE kind = 'chat' ORDER BY id",
    );
    return (rows as { body: string }[]).map((r) => String(r.body));
  } finally {
    await c.end();
  }
}

const ours = (b: string) => /^(before|away \d+)$/.test(b);

Deno.test("spool: MariaDB away at goippy's start: keepalive answered, SMS acked at once, stored and delivered once when it is up", async () => {
  const maria = await startMariaDb();
  if (!maria) {
    console.log(MARIADB_MISSING);
    return;
  }
  try {
    const db = await maria.createDatabase("spool_start");
    const rig = await startRig({
      dbBackend: "mysql",
      mysql: { ...maria, database: db },
      sim: { retransmitMs: 3000, retransmits: 3 },
    });
    try {
      const { sim, daemon } = rig;
      const user = rig.user!;
      await sim.keepalive();
      assertEquals((await sim.receive("+3725550001", "before")).acked, true);
      await waitFor(
        () => chatBodies(user).includes("before"),
        15_000,
        "before delivered",
      );

      await maria.pause();
      await daemon.restart();
      ok(
        /store away|the store is away|answering known lines/.test(
          daemon.logs(),
        ),
        daemon.logs(),
      );
      const reg = await sim.keepalive();
      ok(/status:200;/.test(reg), reg);
      const sent: string[] = [];
      for (let i = 1; i <= 3; i++) {
        const r = await sim.receive(`+372555000${i}`, `away ${i}`);
        assertEquals([r.acked, r.attempts], [true, 1], `away ${i}`);
        sent.push(`away ${i}`);
      }
      ok(/spooling them to/.test(daemon.logs()), "spooling logged");

      await maria.resume();
      await daemon.waitForLog(/spool: replay done: 3 events/, 30_000);
      assertEquals(
        (await inboxBodies(maria, db)).filter(ours),
        ["before", ...sent],
      );
      await waitFor(
        () => chatBodies(user).filter(ours).length >= 4,
        30_000,
        () => `delivered: ${chatBodies(user).join(" | ")}`,
      );
      await new Promise((r) => setTimeout(r, 1000));
      assertEquals(chatBodies(user).filter(ours), ["before", ...sent]);
      // Running normally: a new SMS goes straight to MariaDB.
      assertEquals((await sim.receive("+3725550009", "away 9")).acked, true);
      assertEquals(
        (await inboxBodies(maria, db)).filter(ours),
        ["before", ...sent, "away 9"],
      );
    } finally {
      await rig.close();
    }
  } finally {
    await maria.stop();
  }
});

Deno.test("spool: first start ever with no database and no snapshot: exit 1 with one clear line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-nodb-" });
  try {
    const configPath = `${dir}/goippy.conf`;
    await Deno.writeTextFile(
      configPath,
      [
        `DB_BACKEND = "mysql"`,
        `DB_HOST = "127.0.0.1"`,
        // Nothing listens there.
        `DB_PORT = ${freeTcpPort()}`,
        `DB_USER = "goippy"`,
        `DB_PASS = "pw"`,
        `DB_NAME = "goippy"`,
        `SPOOL_PATH = "${dir}/goippy-spool.sqlite3"`,
        `GOIP_UDP_BIND = "127.0.0.1"`,
        `GOIP_UDP_PORT = ${freeUdpPort()}`,
        `LOG_TO_STDOUT = true`,
        `XMPP_COMPONENT_JID = ""`,
        `XMPP_DOMAIN = "example.org"`,
        `XMPP_COMPONENT_SECRET = "test-secret"`,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const r = await goippy(["--config", configPath]);
    assertEquals(r.code, 1, r.stdout + r.stderr);
    const lines = (r.stdout + r.stderr).split("\n").filter((l) =>
      /cannot|error/i.test(l)
    );
    assertEquals(lines.length, 1, r.stdout + r.stderr);
    ok(
      /cannot open the mysql store: cannot connect to MySQL.*no gateways' snapshot/
        .test(lines[0]),
      lines[0],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("spool: SIGTERM while waiting for MariaDB at start: stops cleanly with exit 0", async () => {
  const maria = await startMariaDb();
  if (!maria) {
    console.log(MARIADB_MISSING);
    return;
  }
  try {
    const db = await maria.createDatabase("spool_start_term");
    const daemon = await startDaemon({
      dbBackend: "mysql",
      mysql: { ...maria, database: db },
      gateways: [{ ext: "2001", password: "pw" }],
    });
    try {
      await maria.pause();
      await daemon.restart();
      await daemon.waitForLog(/answering known lines/);
      daemon.signal("SIGTERM");
      assertEquals(await daemon.exited(), 0);
      ok(/goippy stopped$/m.test(daemon.logs()), daemon.logs());
    } finally {
      await daemon.stop();
    }
  } finally {
    await maria.stop();
  }
});
