/**
 * The CLI against a running daemon (SQLite and MariaDB): gateways added or
 * disabled from the command line take effect without a restart, and --send /
 * --ussd go through the daemon's outbox to a simulated GoIP and print the
 * outcome; --status shows the line.
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
} from "node:assert/strict";
import { goippy } from "./support/cli.ts";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import { waitFor } from "./support/poll.ts";

async function story(configPath: string, udpPort: number) {
  const run = (...args: string[]) => goippy(["--config", configPath, ...args]);
  const add = await run("--add", "2001", "pw1", "^\\+372");
  assertEquals(add.code, 0, add.stderr);

  const sim = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: udpPort },
    id: "goippy_2001",
    password: "pw1",
    num: "+3725550001",
    retransmitMs: 500,
  });
  try {
    // added while the daemon runs: accepted without a restart
    await waitFor(
      async () => (await sim.keepalive()).includes("status:200"),
      15_000,
      "keepalive accepted",
      200,
    );

    const status = await run("--status");
    assertEquals(status.code, 0, status.stderr);
    assertMatch(status.stdout, /lines: 1 online of 1/);
    assertMatch(
      status.stdout,
      /\n2001 +goippy_2001 +\+3725550001 +online +25 +EMT /,
    );

    const sent = await run(
      "--send",
      "2001",
      "+3725551234",
      "tere",
      "õhtust 👋",
    );
    assertEquals([sent.code, sent.stderr], [0, ""]);
    assertMatch(sent.stdout, /^sent \(sms_no \d+\)\n$/);
    assertEquals(
      sim.sentSms.map((s) => [s.number, s.text]),
      [["+3725551234", "tere õhtust 👋"]],
    );

    const refused = await run("--send", "2001", "+4912345678", "hallo");
    assertEquals(refused.code, 1);
    assertMatch(refused.stderr, /not allowed for gateway 2001/);

    sim.settings.ussdAnswer = "Balance: 5.00 EUR";
    const ussd = await run("--ussd", "2001", "*100#");
    assertEquals([ussd.code, ussd.stderr], [0, ""]);
    assertEquals(ussd.stdout, "Balance: 5.00 EUR\n");
    assertEquals(sim.ussdRequests.map((u) => u.code), ["*100#"]);

    // disabled from the command line: refused without a restart
    assertEquals((await run("--disable", "2001")).code, 0);
    await waitFor(
      async () => (await sim.keepalive()).includes("status:404"),
      15_000,
      "keepalive refused",
      200,
    );
    assertEquals(sim.sentSms.length, 1, "nothing else was transmitted");
  } finally {
    await sim.close();
  }
}

Deno.test("the CLI drives a running daemon on SQLite", async () => {
  const d = await startDaemon({});
  try {
    await story(d.configPath, d.udpPort);
  } catch (err) {
    console.error(d.logs());
    throw err;
  } finally {
    await d.stop();
  }
});

Deno.test({
  name: "the CLI drives a running daemon on MariaDB",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  async fn() {
    const db = await startMariaDb();
    if (!db) throw new Error(MARIADB_MISSING);
    try {
      const d = await startDaemon({ dbBackend: "mysql", mysql: db });
      try {
        await story(d.configPath, d.udpPort);
      } catch (err) {
        console.error(d.logs());
        throw err;
      } finally {
        await d.stop();
      }
    } finally {
      await db.stop();
    }
  },
});
