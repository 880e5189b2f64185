/**
 * Webhooks with two daemons' deliverers on one database: only the holder of
 * the `webhooks` lease delivers, so a receiver gets each event once; when the
 * holder stops, the other takes over and delivers the rest, once.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startWebhooks, type Webhooks } from "../src/api/webhooks.ts";
import { defaultConfig } from "../src/config/defaults.ts";
import type { Config } from "../src/config/types.ts";
import { Hub } from "../src/hub.ts";
import { createLogger } from "../src/log.ts";
import { openSqliteStore } from "../src/store/sqlite.ts";
import type { Store } from "../src/store/types.ts";
import { waitFor } from "./support/poll.ts";
import { freeTcpPort } from "./support/ports.ts";
import { WebhookReceiver } from "./support/webhook_receiver.ts";

Deno.test("webhooks: two deliverers on one database send each event once, and the standby takes over", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-hooks-" });
  const receiver = new WebhookReceiver(freeTcpPort(), "s");
  receiver.up();
  const config: Config = {
    ...defaultConfig(),
    WEBHOOKS: [{ url: receiver.url, events: ["*"], secret: "s" }],
  };
  const log = createLogger({ level: "error", journald: false });
  const stores: Store[] = [];
  const hooks: Webhooks[] = [];
  const open = async (holder: string) => {
    const store = openSqliteStore(`${dir}/goippy.sqlite3`);
    await store.migrate();
    stores.push(store);
    const h = startWebhooks({
      store,
      hub: new Hub(),
      config: () => config,
      log,
      pollMs: 20,
      lease: { holder, ttlMs: 1000 },
    });
    hooks.push(h);
    return { store, h };
  };
  try {
    const a = await open("a:1");
    const b = await open("b:1");
    for (let i = 0; i < 30; i++) {
      await (i % 2 ? a : b).store.addWebhookEvent(
        "sms.received",
        JSON.stringify({ n: i }),
      );
    }
    await waitFor(() => receiver.ids().length === 30, 10_000, "30 events");
    // Long enough for a second deliverer, had there been one, to repeat them.
    await new Promise((r) => setTimeout(r, 500));
    assertEquals(receiver.accepted.length, 30, "each event delivered once");

    // The holder stops (its lease is released); the other delivers the rest.
    const holder = (await a.store.lease("webhooks"))?.holder;
    const [gone, stays] = holder === "a:1" ? [a, b] : [b, a];
    await gone.h.stop();
    hooks.splice(hooks.indexOf(gone.h), 1);
    for (let i = 30; i < 40; i++) {
      await stays.store.addWebhookEvent(
        "sms.received",
        JSON.stringify({ n: i }),
      );
    }
    await waitFor(() => receiver.ids().length === 40, 10_000, "40 events");
    await new Promise((r) => setTimeout(r, 500));
    assertEquals(receiver.accepted.length, 40, "each event delivered once");
    assertEquals(
      receiver.accepted.map((r) => r.data.n),
      Array.from({ length: 40 }, (_, i) => i),
      "in order",
    );
  } finally {
    for (const h of hooks) await h.stop();
    for (const s of stores) await s.close();
    await receiver.down();
    await Deno.remove(dir, { recursive: true });
  }
});
