import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openSqliteStore } from "./store/sqlite.ts";
import { createLogger } from "./log.ts";
import { DAY_MS, startRetention } from "./retention.ts";
import type { Store } from "./store/types.ts";

function memLogger() {
  const lines: string[] = [];
  const log = createLogger({
    level: "debug",
    journald: false,
    write: (l) => lines.push(l),
  });
  return { log, lines };
}

async function withDb(
  fn: (store: Store, raw: DatabaseSync) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "goippy-retention-" });
  const path = `${dir}/goippy.sqlite3`;
  const store = openSqliteStore(path);
  let raw: DatabaseSync | undefined;
  try {
    await store.migrate();
    raw = new DatabaseSync(path);
    await fn(store, raw);
  } finally {
    raw?.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function seed(store: Store, raw: DatabaseSync, nowMs: number) {
  for (const body of ["old", "new"]) {
    await store.logTraffic({
      dir: "in",
      kind: "sms",
      goipId: "goippy_2001",
      ext: "2001",
      number: "+100",
      xmppJid: "2001@example.org",
      body,
      status: "stored",
    });
  }
  raw.prepare("UPDATE goippy_log SET created_ms = ? WHERE body = 'old'")
    .run(nowMs - 40 * DAY_MS);
  for (const ts of [nowMs - 40 * DAY_MS, nowMs - DAY_MS]) {
    await store.recordCall({
      ts: Math.floor(ts / 1000),
      goipId: "goippy_2001",
      ext: "2001",
      direction: 1,
      remoteNum: "+100",
      cause: "",
      msisdn: "",
      raw: "",
    });
  }
}

function count(raw: DatabaseSync, table: string): number {
  return Number(
    (raw.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number })
      .n,
  );
}

Deno.test("retention purges rows older than LOG_RETENTION_DAYS at start", async () => {
  await withDb(async (store, raw) => {
    const now = Date.now();
    await seed(store, raw, now);
    const { log, lines } = memLogger();
    const r = startRetention({ store, days: 30, log, now: () => now });
    try {
      assertEquals(await r.first, 2);
      assertEquals(count(raw, "goippy_log"), 1);
      assertEquals(count(raw, "goippy_calls"), 1);
      const left = raw.prepare("SELECT body FROM goippy_log").all();
      assertEquals(left.map((r) => r.body), ["new"]);
      assert(
        lines.some((l) => l.includes("removed 2 rows older than 30 days")),
        lines.join("\n"),
      );
      // Nothing left to purge the second time.
      assertEquals(await r.purgeNow(), 0);
    } finally {
      await r.stop();
    }
  });
});

Deno.test("retention runs again on its interval and stops cleanly", async () => {
  await withDb(async (store, raw) => {
    let now = Date.now();
    await seed(store, raw, now);
    const { log } = memLogger();
    const r = startRetention({
      store,
      days: 60,
      log,
      now: () => now,
      intervalMs: 20,
    });
    try {
      assertEquals(await r.first, 0);
      now += 30 * DAY_MS; // the old rows are now 70 days old
      const deadline = Date.now() + 10_000;
      while (count(raw, "goippy_log") > 1 && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 20));
      }
      assertEquals(count(raw, "goippy_log"), 1);
      assertEquals(count(raw, "goippy_calls"), 1);
    } finally {
      await r.stop();
    }
  });
});

Deno.test("retention with 0 days keeps everything", async () => {
  await withDb(async (store, raw) => {
    await seed(store, raw, Date.now());
    const { log } = memLogger();
    const r = startRetention({ store, days: 0, log });
    assertEquals(await r.first, 0);
    await r.stop();
    assertEquals(count(raw, "goippy_log"), 2);
    assertEquals(count(raw, "goippy_calls"), 2);
  });
});

Deno.test("a failing purge is logged, not thrown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-retention-" });
  const closed = openSqliteStore(`${dir}/goippy.sqlite3`);
  try {
    await closed.migrate();
    await closed.close(); // every query on it now fails
    const { log, lines } = memLogger();
    const r = startRetention({ store: closed, days: 1, log });
    assertEquals(await r.first, -1);
    await r.stop();
    assert(
      lines.some((l) => l.includes("WARN") && l.includes("purge failed")),
      lines.join("\n"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
