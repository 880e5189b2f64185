/**
 * The daemon as a whole: clear failures at start (UDP port taken, database
 * unreachable), SIGHUP applying live settings, datagram metrics, and a
 * graceful SIGTERM.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { goippy } from "./support/cli.ts";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import { haveMariaDb, startMariaDb } from "./support/mariadb.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";

async function withConfig(
  lines: string[],
  fn: (path: string, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-daemon-fail-" });
  try {
    const path = `${dir}/goippy.conf`;
    await Deno.writeTextFile(
      path,
      [`SQLITE_PATH = "${dir}/db.sqlite3"`, ...lines, ""].join("\n"),
      { mode: 0o600 },
    );
    await fn(path, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("daemon: a UDP port in use is a clear error, exit 1", async () => {
  const taken = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    await withConfig([
      `GOIP_UDP_BIND = "127.0.0.1"`,
      `GOIP_UDP_PORT = ${port}`,
      `XMPP_COMPONENT_JID = ""`,
    ], async (path) => {
      const r = await goippy(["--config", path]);
      assertEquals(r.code, 1, r.stdout + r.stderr);
      assert(
        /cannot start: .*(in use|AddrInUse)/i.test(r.stdout + r.stderr),
        r.stdout + r.stderr,
      );
    });
  } finally {
    taken.close();
  }
});

Deno.test("daemon: an unreachable MySQL is a clear error, exit 1", async () => {
  await withConfig([
    `DB_BACKEND = "mysql"`,
    `DB_HOST = "127.0.0.1"`,
    `DB_PORT = ${freeTcpPort()}`,
    `DB_USER = "goippy"`,
    `DB_PASS = "x"`,
    `DB_NAME = "goippy"`,
    `XMPP_COMPONENT_JID = ""`,
  ], async (path) => {
    const r = await goippy(["--config", path]);
    assertEquals(r.code, 1, r.stdout + r.stderr);
    assert(
      /cannot open the mysql store/.test(r.stdout + r.stderr),
      r.stdout + r.stderr,
    );
  });
});

Deno.test("daemon: SIGHUP applies GOIP_ALLOW_SOURCES at once and names restart-only keys", async () => {
  const d = await startDaemon({
    gateways: [{ ext: "2001", password: "pw" }],
  });
  const sims: GoipSim[] = [];
  try {
    const sim = async () => {
      const s = await GoipSim.start({
        server: { hostname: "127.0.0.1", port: d.udpPort },
        id: "goippy_2001",
        password: "pw",
        retransmitMs: 300,
        retransmits: 0,
      });
      sims.push(s);
      return s;
    };
    const a = await sim();
    const b = await sim();
    assertEquals(await a.keepalive(), "reg:1;status:200;");
    // The password authenticates the event from another port.
    assertEquals(
      (await b.event("STATE", { gsm_remain_state: "IDLE" })).acked,
      true,
    );

    const conf = await Deno.readTextFile(d.configPath);
    await Deno.writeTextFile(
      d.configPath,
      conf + 'GOIP_ALLOW_SOURCES = ["127.0.0.2/32"]\nXMPP_PORT = 5999\n',
    );
    d.signal("SIGHUP");
    const [line] = await d.waitForLog(/reloaded .*\n/);
    assert(line.includes("GOIP_ALLOW_SOURCES"), line);
    assert(/needs a restart: XMPP_PORT/.test(line), line);
    assertEquals(
      (await b.event("STATE", { gsm_remain_state: "IDLE" })).acked,
      false,
    );
  } finally {
    for (const s of sims) await s.close();
    assertEquals(await d.stop(), 0);
  }
  assert(/goippy stopped/.test(d.logs()), d.logs());
});

Deno.test("daemon: datagrams in and out are counted on /metrics", async () => {
  const d = await startDaemon({
    gateways: [{ ext: "2001", password: "pw" }],
    config: { METRICS_BIND: `127.0.0.1:${freeTcpPort()}` },
  });
  const s = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: d.udpPort },
    id: "goippy_2001",
    password: "pw",
  });
  try {
    await s.keepalive();
    await s.receive("+1", "hi");
    await s.sendRaw("nonsense");
    await s.keepalive();
    const conf = await Deno.readTextFile(d.configPath);
    const bind = /METRICS_BIND = "([^"]+)"/.exec(conf)![1];
    const text = await (await fetch(`http://${bind}/metrics`)).text();
    for (
      const want of [
        'goippy_datagrams_in_total{type="keepalive"} 2',
        'goippy_datagrams_in_total{type="receive"} 1',
        'goippy_datagrams_in_total{type="invalid"} 1',
        'goippy_datagrams_out_total{type="reg"} 2',
        'goippy_datagrams_out_total{type="ack"} 1',
        "goippy_sms_in_total 1",
      ]
    ) assert(text.includes(want), `${want} missing:\n${text}`);
  } finally {
    await s.close();
    assertEquals(await d.stop(), 0);
  }
});

Deno.test({
  name:
    "daemon: with the spool off, RECEIVE is not acked while MariaDB is down, acked once it is back",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  async fn() {
    const maria = await startMariaDb();
    if (!maria) return;
    let d: DaemonHandle | null = null;
    let sim: GoipSim | null = null;
    try {
      d = await startDaemon({
        dbBackend: "mysql",
        mysql: maria,
        gateways: [{ ext: "2001", password: "pw" }],
        // With the spool on it would be acked at once (tests/faults_spool_test.ts).
        config: { SPOOL_MAX_MB: 0 },
      });
      sim = await GoipSim.start({
        server: { hostname: "127.0.0.1", port: d.udpPort },
        id: "goippy_2001",
        password: "pw",
        retransmitMs: 2000,
        retransmits: 10,
      });
      await sim.keepalive();
      await maria.pause();
      const body = `while-down-${crypto.randomUUID()}`;
      const receiving = sim.receive("+3725550009", body);
      await d.waitForLog(/not stored, not acknowledged|handler failed/, 30_000);
      await maria.resume();
      const r = await receiving;
      assertEquals(r.acked, true, d.logs());
      assert(r.attempts >= 2, `attempts ${r.attempts}`);
      const store = await d.openStore();
      try {
        const rows = (await store.pendingInbox(100)).filter((i) =>
          i.body === body
        );
        assertEquals(rows.length, 1);
      } finally {
        await store.close();
      }
    } finally {
      await sim?.close();
      if (d) assertEquals(await d.stop(), 0);
      await maria.stop();
    }
  },
});

Deno.test("daemon: after SIGKILL and restart, an acked SMS is kept and its resend is a duplicate", async () => {
  const d = await startDaemon({ gateways: [{ ext: "2001", password: "pw" }] });
  let sim: GoipSim | null = null;
  try {
    const open = () =>
      GoipSim.start({
        server: { hostname: "127.0.0.1", port: d.udpPort },
        id: "goippy_2001",
        password: "pw",
        counterStart: 500,
      });
    sim = await open();
    await sim.keepalive();
    assertEquals(
      (await sim.receive("+3725550101", "before the crash")).acked,
      true,
    );
    await d.kill();
    await d.restart();
    await sim.keepalive(); // the same socket: re-pins after the restart
    // The same (id, n) again, as a device that missed the ack would send it.
    const again = await sim.receive("+3725550101", "before the crash", {
      n: 500,
    });
    assertEquals(again.reply, "RECEIVE 500 OK");
    const store = await d.openStore();
    try {
      const rows = (await store.pendingInbox(100)).filter((i) =>
        i.body === "before the crash"
      );
      assertEquals(rows.length, 1);
    } finally {
      await store.close();
    }
  } finally {
    await sim?.close();
    assertEquals(await d.stop(), 0);
  }
});

Deno.test("daemon: a second daemon on the same SQLite file refuses to start; the CLI still works", async () => {
  const d = await startDaemon({ gateways: [{ ext: "2001", password: "pw" }] });
  try {
    const conf = (await Deno.readTextFile(d.configPath)).replace(
      /^GOIP_UDP_PORT = \d+$/m,
      `GOIP_UDP_PORT = ${freeUdpPort()}`,
    );
    const second = `${d.dir}/second.conf`;
    await Deno.writeTextFile(second, conf, { mode: 0o600 });
    const r = await goippy(["--config", second]);
    assertEquals(r.code, 1, r.stdout + r.stderr);
    const refused = (r.stdout + r.stderr).split("\n").filter((l) =>
      l.includes("another goippy daemon is already running")
    );
    assertEquals(refused.length, 1, r.stdout + r.stderr);
    assert(refused[0].includes(d.sqlitePath), refused[0]);
    const list = await d.cli(["--listExt"]);
    assertEquals(list.code, 0, list.stderr);
    assert(list.stdout.includes("goippy_2001"), list.stdout);
  } finally {
    assertEquals(await d.stop(), 0);
  }
});
