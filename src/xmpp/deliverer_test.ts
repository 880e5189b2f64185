import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createLogger } from "../log.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import type { InboxItem, Store } from "../store/types.ts";
import { Deliverer, needsDelay } from "./deliverer.ts";

const item = (createdMs: number) => ({ createdMs } as InboxItem);

/** `store` with its method `key` replaced by `impl` (the rest untouched). */
function replacing(store: Store, key: keyof Store, impl: unknown): Store {
  return new Proxy(store, {
    get(target, k) {
      if (k === key) return impl;
      const value = Reflect.get(target, k);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Store;
}

/** A connected link that records the body of every stanza it sends. */
function recordingLink(sent: string[]) {
  return {
    state: () => "connected" as const,
    send: (el: { getChildText(name: string): string | null }) => {
      sent.push(el.getChildText("body") ?? "");
      return Promise.resolve();
    },
    ping: () => Promise.resolve(true),
  };
}

/** Queue chat rows `[from number, body]` to user 2001 on line goippy_2001. */
async function queueChats(store: Store, rows: [from: string, body: string][]) {
  for (const [from, body] of rows) {
    await store.enqueueInbox({
      kind: "chat",
      fromJid: `${from}@sms.example.org`,
      toJid: "2001@example.org",
      body,
      refId: "",
      goipId: "goippy_2001",
    });
  }
}

Deno.test("deliverer: which rows carry a delay stamp", () => {
  const now = 1_000_000;
  const cases: [string, number, number, boolean][] = [
    ["fresh, same connection", now - 100, now - 60_000, false],
    ["exactly 2 s", now - 2000, now - 60_000, false],
    ["waited 2.1 s", now - 2100, now - 60_000, true],
    ["made before this connection", now - 100, now - 50, true],
    ["old and before", now - 600_000, now - 50, true],
  ];
  for (const [name, created, since, want] of cases) {
    assertEquals(
      `${name}: ${needsDelay(item(created), now, since)}`,
      `${name}: ${want}`,
    );
  }
});

Deno.test("deliverer: a confirmed batch is not sent again when marking it done fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-deliverer-" });
  const store = await openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await queueChats(
      store,
      ["one", "two", "three"].map((body) => ["+3725551234", body]),
    );
    // The real store, with its "done" write failing twice as while the
    // database restarts.
    let failures = 2;
    const flaky = replacing(
      store,
      "markInboxDone",
      (ids: number[]) =>
        failures-- > 0
          ? Promise.reject(new Error("database away"))
          : store.markInboxDone(ids),
    );
    const sent: string[] = [];
    const lines: string[] = [];
    const log = createLogger({
      level: "debug",
      journald: true,
      write: (l) => lines.push(l),
    });
    const deliverer = new Deliverer({
      store: flaky,
      link: recordingLink(sent),
      componentJid: "sms.example.org",
      log,
      pollMs: 10,
    });
    deliverer.start();
    const deadline = Date.now() + 10_000;
    while (deliverer.delivered < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await deliverer.stop();
    assertEquals(sent, ["one", "two", "three"]);
    assertEquals(deliverer.delivered, 3);
    assertEquals((await store.pendingInbox(10)).length, 0);
    assertEquals(failures, -1);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deliverer: a confirmation outlives its deliverer when the next one shares the set", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-deliverer-" });
  const store = await openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await queueChats(store, [["+3725551234", "one"], ["+3725551234", "two"]]);
    // The database takes no "done" mark while the first deliverer runs (the
    // XMPP part is then stopped, as when the lease is lost and taken back).
    let away = true;
    const flaky = replacing(
      store,
      "markInboxDone",
      (ids: number[], claimer?: string) =>
        away
          ? Promise.reject(new Error("database away"))
          : store.markInboxDone(ids, claimer),
    );
    const sent: string[] = [];
    const confirmed = new Set<number>();
    const make = () =>
      new Deliverer({
        store: flaky,
        link: recordingLink(sent),
        componentJid: "sms.example.org",
        log: createLogger({ level: "error", journald: true, write() {} }),
        pollMs: 10,
        instanceId: "a:1",
        confirmed,
      });
    const first = make();
    first.start();
    const deadline = Date.now() + 10_000;
    while (confirmed.size < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await first.stop();
    away = false;
    const second = make();
    second.start();
    while (second.delivered < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await second.stop();
    assertEquals(sent, ["one", "two"], "each row sent once");
    assertEquals((await store.pendingInbox(10)).length, 0);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deliverer: a database read failing in a batch sends none of it (nothing sent twice)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-deliverer-" });
  const store = await openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await queueChats(
      store,
      [1, 2, 3, 4].map((n) => [`+372555000${n}`, `from ${n}`]),
    );
    // The third contact look-up of the first batch fails (connection lost).
    let lookups = 0;
    const flaky = replacing(
      store,
      "contact",
      (ext: string, number: string) =>
        ++lookups === 3
          ? Promise.reject(new Error("Connection lost"))
          : store.contact(ext, number),
    );
    const sent: string[] = [];
    const deliverer = new Deliverer({
      store: flaky,
      link: recordingLink(sent),
      componentJid: "sms.example.org",
      log: createLogger({ level: "error", journald: true, write() {} }),
      pollMs: 10,
    });
    deliverer.start();
    const deadline = Date.now() + 10_000;
    while (deliverer.delivered < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await deliverer.stop();
    assertEquals(sent, ["from 1", "from 2", "from 3", "from 4"]);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
