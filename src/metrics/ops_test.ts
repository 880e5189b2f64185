import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { defaultConfig } from "../config/load.ts";
import { createLogger } from "../log.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import type { NewOutboxItem } from "../store/types.ts";
import { DAY_MS } from "../retention.ts";
import { createGoippyMetrics } from "./goippy.ts";
import { startOpsParts } from "./ops.ts";

Deno.test("ops parts serve /health, then follow a reloaded config", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-ops-" });
  const store = openSqliteStore(`${dir}/goippy.sqlite3`);
  const lines: string[] = [];
  const log = createLogger({
    level: "debug",
    journald: true,
    write: (l) => lines.push(l),
  });
  try {
    await store.migrate();
    const config = {
      ...defaultConfig(),
      METRICS_BIND: "127.0.0.1:0",
      LOG_RETENTION_DAYS: 0,
    };
    let live = config;
    const ops = await startOpsParts({
      config: () => live,
      store,
      log,
      metrics: createGoippyMetrics(),
      health: { udp: () => true, xmpp: () => "off" },
    });
    try {
      const port = ops.metricsPort();
      assert(port !== null && port > 0);
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      assertEquals(await res.json(), { store: "ok", udp: "ok", xmpp: "off" });

      live = { ...config, METRICS_BIND: "", LOG_RETENTION_DAYS: 7 };
      await ops.reload();
      assertEquals(ops.metricsPort(), null);
      let refused = false;
      try {
        await fetch(`http://127.0.0.1:${port}/health`);
      } catch {
        refused = true;
      }
      assert(refused, "the endpoint is closed after METRICS_BIND is cleared");
      assert(lines.some((l) => l.includes("retention: keeping 7 days")));
    } finally {
      await ops.stop();
    }
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ops parts refuse a METRICS_BIND that cannot be bound", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-ops-" });
  const store = openSqliteStore(`${dir}/goippy.sqlite3`);
  try {
    await store.migrate();
    let msg = "";
    try {
      const ops = await startOpsParts({
        config: () => ({ ...defaultConfig(), METRICS_BIND: "localhost" }),
        store,
        log: createLogger({ level: "error", journald: true, write: () => {} }),
        metrics: createGoippyMetrics(),
        health: { udp: () => true, xmpp: () => "off" },
      });
      await ops.stop();
    } catch (err) {
      msg = (err as Error).message;
    }
    assert(msg.includes("METRICS_BIND must be host:port"), msg);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with the API on, old Idempotency-Keys are purged even when rows are kept forever", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-ops-" });
  let clock = Date.now() - 2 * DAY_MS;
  const store = openSqliteStore(`${dir}/goippy.sqlite3`, undefined, {
    now: () => clock,
  });
  try {
    await store.migrate();
    const token = (await store.addApiToken({
      name: "shop",
      hash: "h".repeat(64),
      lines: null,
    })).id;
    const sms: NewOutboxItem = {
      ext: "2001",
      goipId: "goippy_2001",
      kind: "sms",
      number: "+3725551234",
      body: "hi",
      fromJid: "",
      toJid: "",
      stanzaId: "",
      wantReceipt: false,
      origin: "api",
    };
    const first = await store.enqueueOutboxOnce(sms, token, "k");
    clock = Date.now();
    const ops = await startOpsParts({
      config: () => ({
        ...defaultConfig(),
        API_BIND: "127.0.0.1:0",
        LOG_RETENTION_DAYS: 0,
      }),
      store,
      log: createLogger({ level: "error", journald: true, write: () => {} }),
      metrics: createGoippyMetrics(),
      health: { udp: () => true, xmpp: () => "off" },
    });
    await ops.stop(); // waits for the purge made at start
    const retry = await store.enqueueOutboxOnce(sms, token, "k");
    assert(retry.created && retry.item.id !== first.item.id);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
