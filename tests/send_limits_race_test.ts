/**
 * Send limits under concurrent enqueues, through the real daemon's HTTP API
 * on SQLite and on a real MariaDB: requests that arrive together at a limit
 * are accepted exactly up to it; every other one is refused with the limit's
 * 429 (nobody is told "queued" for an SMS the hand-over would then stop).
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
} from "node:assert/strict";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import {
  haveMariaDb,
  type MariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import { freeTcpPort } from "./support/ports.ts";
import { apiClient } from "./support/api_client.ts";

/** POST `count` SMS at once (every other one with an Idempotency-Key). */
async function burst(
  d: DaemonHandle,
  apiPort: number,
  line: string,
  to: (i: number) => string,
  count: number,
): Promise<{ accepted: number; refused: string[]; others: string[] }> {
  const r = await d.cli(["--token-add", `burst-${line}`]);
  assertEquals(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  const api = apiClient(`http://127.0.0.1:${apiPort}`);
  const answers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      api("POST", "/api/v1/sms", {
        token,
        body: { line, to: to(i), text: `burst ${i}` },
        headers: i % 2 ? { "idempotency-key": `burst-${line}-${i}` } : {},
      })),
  );
  const out = { accepted: 0, refused: [] as string[], others: [] as string[] };
  for (const a of answers) {
    if (a.status === 202) out.accepted++;
    else if (a.status === 429 && a.json.error === "limit_reached") {
      out.refused.push(a.json.message);
    } else out.others.push(`${a.status} ${JSON.stringify(a.json)}`);
  }
  return out;
}

async function story(mysql?: MariaDb) {
  const apiPort = freeTcpPort();
  const d = await startDaemon({
    dbBackend: mysql ? "mysql" : "sqlite",
    mysql,
    config: { API_BIND: `127.0.0.1:${apiPort}`, API_RATE_PER_MIN: 10_000 },
    gateways: [
      { ext: "2001", password: "pw1" },
      { ext: "2002", password: "pw2" },
    ],
  });
  const store = await d.openStore();
  try {
    // No GoIP online: every accepted SMS stays queued and counts.
    assertEquals((await d.cli(["--limits", "2001", "hour=3"])).code, 0);
    const hour = await burst(d, apiPort, "2001", () => "+3725551234", 12);
    assertEquals(hour.others, []);
    assertEquals([hour.accepted, hour.refused.length], [3, 9]);
    for (const m of hour.refused) {
      assertMatch(m, /limit of 3 SMS per hour \(3 used\)/);
    }
    assertEquals((await store.queuedOf("goippy_2001", 100)).length, 3);

    assertEquals((await d.cli(["--limits", "2002", "recipients=2"])).code, 0);
    const month = await burst(d, apiPort, "2002", (i) => `+37255500${i}`, 8);
    assertEquals(month.others, []);
    assertEquals([month.accepted, month.refused.length], [2, 6]);
    const numbers = (await store.queuedOf("goippy_2002", 100)).map((i) =>
      i.number
    );
    assertEquals(new Set(numbers).size, 2);
  } finally {
    await store.close();
    await d.stop();
  }
}

Deno.test("limits: SMS posted at once are accepted exactly up to the limit (SQLite)", () =>
  story());

Deno.test({
  name:
    "limits: SMS posted at once are accepted exactly up to the limit (MariaDB)",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  async fn() {
    const db = await startMariaDb();
    if (!db) throw new Error(MARIADB_MISSING);
    try {
      await story(db);
    } finally {
      await db.stop();
    }
  },
});
