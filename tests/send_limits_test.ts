/**
 * Per-line pacing and send limits with the real daemon and the GoIP
 * simulator over real UDP: the interval between the SMS the module
 * receives, the (N+1)-th SMS of an hour refused (`--send` and at hand-over)
 * with nothing transmitted, lines independent, a restart that keeps the
 * counts, and a gateway's own limit over the config's. On SQLite and on a
 * real MariaDB (one server, a database per case).
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import {
  type DaemonHandle,
  type DaemonOptions,
  startDaemon,
} from "./support/daemon.ts";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { waitFor } from "./support/poll.ts";
import { freeTcpPort } from "./support/ports.ts";
import type { NewOutboxItem, OutboxItem, Store } from "../src/store/types.ts";

/** Where a case's daemon keeps its data: SQLite (empty) or a MariaDB database. */
type Db = Pick<DaemonOptions, "dbBackend" | "mysql">;

function sms(ext: string, body: string): NewOutboxItem {
  return {
    ext,
    goipId: `goippy_${ext}`,
    kind: "sms",
    number: "+3725551234",
    body,
    fromJid: "",
    toJid: "",
    stanzaId: "",
    wantReceipt: false,
    origin: "cli",
  };
}

function line(d: DaemonHandle, ext: string): Promise<GoipSim> {
  return GoipSim.start({
    server: { hostname: "127.0.0.1", port: d.udpPort },
    id: `goippy_${ext}`,
    password: "pw",
    num: `37255500${ext}`,
  });
}

async function final(store: Store, id: number): Promise<OutboxItem> {
  let row: OutboxItem | undefined;
  await waitFor(
    async () => {
      row = await store.outboxItem(id);
      return !!row && !["queued", "sending"].includes(row.state);
    },
    20_000,
    `outbox row ${id} to end`,
  );
  return row!;
}

async function pacing(db: Db) {
  const d = await startDaemon({
    ...db,
    gateways: [{ ext: "2001", password: "pw" }],
    config: { SEND_INTERVAL: 1, SEND_JITTER: 1 },
  });
  const sim = await line(d, "2001");
  const store = await d.openStore();
  try {
    await sim.keepalive();
    const ids = [];
    for (const body of ["one", "two", "three"]) {
      ids.push(await store.enqueueOutbox(sms("2001", body)));
    }
    await sim.waitForSms(3, 20_000);
    for (const id of ids) assertEquals((await final(store, id)).state, "sent");
    assertEquals(sim.sentSms.map((s) => s.text), ["one", "two", "three"]);
    const at = sim.sentSms.map((s) => s.at);
    for (let i = 1; i < at.length; i++) {
      assert(at[i] - at[i - 1] >= 1000, `gap ${i}: ${at[i] - at[i - 1]} ms`);
    }
  } finally {
    await store.close();
    await sim.close();
    await d.stop();
  }
}

async function hourLimit(db: Db) {
  const metricsPort = freeTcpPort();
  const d = await startDaemon({
    ...db,
    gateways: [
      { ext: "2001", password: "pw" },
      { ext: "2002", password: "pw" },
    ],
    config: { SEND_LIMIT_HOUR: 2, METRICS_BIND: `127.0.0.1:${metricsPort}` },
  });
  const a = await line(d, "2001");
  const b = await line(d, "2002");
  const store = await d.openStore();
  const send = (ext: string, text: string) =>
    d.cli(["--send", ext, "+3725551234", text, "--timeout", "20"]);
  try {
    await a.keepalive();
    await b.keepalive();
    for (const text of ["one", "two"]) {
      const r = await send("2001", text);
      assertEquals(r.code, 0, r.stderr);
    }
    const over = await send("2001", "three");
    assertEquals(over.code, 1);
    assertMatch(
      over.stderr,
      /^goippy: Not sent: line 2001 reached its limit of 2 SMS per hour \(2 used\); the limit resets at \d{4}-\d\d-\d\d \d\d:\d\d UTC\.\n$/,
    );
    assertEquals(a.sentSms.map((s) => s.text), ["one", "two"]);
    // Another line has its own count.
    assertEquals((await send("2002", "other line")).code, 0);

    // Queued past the enqueue check (as by an older client): it fails at its
    // turn with the limit's text, and the GoIP never sees it.
    const late = await final(
      store,
      await store.enqueueOutbox(sms("2001", "late")),
    );
    assertEquals(late.state, "failed");
    assertMatch(late.error, /limit of 2 SMS per hour/);

    const metrics = await (await fetch(
      `http://127.0.0.1:${metricsPort}/metrics`,
    )).text();
    const lines = metrics.split("\n");
    for (
      const want of [
        /^goippy_send_limit_used\{.*goip_id="goippy_2001".*limit="hour".*\} 2$/,
        /^goippy_send_limit_used\{.*goip_id="goippy_2002".*limit="hour".*\} 1$/,
        /^goippy_send_limit\{.*goip_id="goippy_2001".*limit="hour".*\} 2$/,
        /^goippy_sms_limited_total\{limit="hour"\} 1$/,
      ]
    ) assert(lines.some((l) => want.test(l)), `${want} in\n${metrics}`);

    const status = await d.cli(["--status"]);
    assertMatch(status.stdout, /\n2001 .* 2\/2 \d\/- 1\/-\n/);

    await d.restart();
    await a.keepalive();
    const after = await send("2001", "after restart");
    assertEquals(after.code, 1, "a restart reset the count");
    assertMatch(after.stderr, /limit of 2 SMS per hour \(2 used\)/);

    // The gateway's own limit wins over SEND_LIMIT_HOUR.
    assertEquals((await d.cli(["--limits", "2001", "hour=3"])).code, 0);
    assertEquals((await send("2001", "own limit")).code, 0);
    assertEquals(a.sentSms.map((s) => s.text), ["one", "two", "own limit"]);
    assertEquals(b.sentSms.map((s) => s.text), ["other line"]);
  } finally {
    await store.close();
    await a.close();
    await b.close();
    await d.stop();
  }
}

async function reloadedLimit(db: Db) {
  const d = await startDaemon({
    ...db,
    gateways: [{ ext: "2001", password: "pw" }],
  });
  const sim = await line(d, "2001");
  const store = await d.openStore();
  try {
    await sim.keepalive();
    const first = await store.enqueueOutbox(sms("2001", "before"));
    assertEquals((await final(store, first)).state, "sent");
    const conf = await Deno.readTextFile(d.configPath);
    await Deno.writeTextFile(d.configPath, `${conf}\nSEND_LIMIT_HOUR = 1\n`);
    const mark = d.logs().length;
    d.signal("SIGHUP");
    await waitFor(
      () => /reloaded .*changed SEND_LIMIT_HOUR/.test(d.logs().slice(mark)),
      10_000,
      "the reload",
    );
    const second = await final(
      store,
      await store.enqueueOutbox(sms("2001", "after")),
    );
    assertEquals(second.state, "failed");
    assertMatch(second.error, /limit of 1 SMS per hour \(1 used\)/);
    assertEquals(sim.sentSms.map((s) => s.text), ["before"]);
  } finally {
    await store.close();
    await sim.close();
    await d.stop();
  }
}

const CASES: [string, (db: Db) => Promise<void>][] = [
  ["pacing: SMS reach the GoIP at least SEND_INTERVAL apart, in order", pacing],
  [
    "limits: the (N+1)-th SMS of an hour is refused with its reset, per line, across a restart",
    hourLimit,
  ],
  [
    "limits: SIGHUP applies a new SEND_LIMIT_HOUR at the next hand-over",
    reloadedLimit,
  ],
];

for (const [name, fn] of CASES) Deno.test(name, () => fn({}));

Deno.test({
  name: "pacing and send limits on MariaDB",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  async fn(t) {
    const maria = await startMariaDb();
    if (!maria) throw new Error(MARIADB_MISSING);
    try {
      let i = 0;
      for (const [name, fn] of CASES) {
        const database = await maria.createDatabase(`limits${i++}`);
        await t.step(
          name,
          () => fn({ dbBackend: "mysql", mysql: { ...maria, database } }),
        );
      }
    } finally {
      await maria.stop();
    }
  },
});
