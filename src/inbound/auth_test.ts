import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openSqliteStore } from "../store/sqlite.ts";
import type { Store } from "../store/types.ts";
import { type AuthResult, GatewayCache, sameSecret } from "./auth.ts";

Deno.test("sameSecret: equal only for identical strings", () => {
  const cases: [string, string, boolean][] = [
    ["secret", "secret", true],
    ["", "", true],
    ["secret", "Secret", false],
    ["secret", "secret2", false],
    ["secret", "", false],
    ["", "x", false],
    ["测试", "测试", true],
    ["测试", "测试 ", false],
  ];
  for (const [a, b, want] of cases) {
    assertEquals(sameSecret(a, b), want, `${a} vs ${b}`);
  }
});

Deno.test("GatewayCache: refusals, and CLI changes seen at the next version check", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-auth-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    let now = 1_000_000;
    const cache = new GatewayCache(store, {
      checkEveryMs: 2000,
      now: () => now,
    });
    assertEquals((await cache.authenticate("goippy_2001", "pw")).ok, true);
    assertEquals(await cache.authenticate("goippy_2001", "bad"), {
      ok: false,
      why: "wrong password",
    });
    assertEquals(await cache.authenticate("goippy_9", "pw"), {
      ok: false,
      why: "unknown id",
    });
    assertEquals(await cache.authenticate("", ""), {
      ok: false,
      why: "unknown id",
    });
    await store.setGatewayEnabled("2001", false);
    now += 1999; // still cached
    assertEquals((await cache.authenticate("goippy_2001", "pw")).ok, true);
    now += 1; // the version is asked again: the change is seen
    assertEquals(await cache.authenticate("goippy_2001", "pw"), {
      ok: false,
      why: "disabled",
    });
    await store.addGateway({ ext: "2009", goipPass: "x" });
    assertEquals((await cache.authenticate("goippy_2009", "x")).ok, true);
    // An id refused as unknown is known once the CLI adds it.
    await store.addGateway({ ext: "9", goipPass: "pw" });
    now += 2000;
    assertEquals((await cache.authenticate("goippy_9", "pw")).ok, true);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GatewayCache: ids longer than the column are refused without a look-up", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-auth-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    const id64 = "g".repeat(64);
    await store.addGateway({ ext: "2001", goipPass: "pw", goipId: id64 });
    let lookups = 0;
    const counted = new Proxy(store, {
      get(target, key) {
        if (key === "gatewayByGoipId") lookups++;
        const v = Reflect.get(target, key, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const cache = new GatewayCache(counted);
    assertEquals((await cache.authenticate(id64, "pw")).ok, true);
    assertEquals(lookups, 1);
    for (let i = 0; i < 100; i++) {
      assertEquals(await cache.authenticate(`${id64}${i}`, "pw"), {
        ok: false,
        why: "unknown id",
      });
    }
    assertEquals(lookups, 1, "no look-up for impossible ids");
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Why an authentication was refused ("" when it was not). */
function why(r: AuthResult): string {
  return r.ok ? "" : r.why;
}

/** `store` with its calls counted by method name. */
function counting(store: Store, calls: Map<string, number>): Store {
  return new Proxy(store, {
    get(target, key) {
      const v = Reflect.get(target, key, target);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return v.apply(target, args);
      };
    },
  });
}

Deno.test("GatewayCache: idle keepalives cost no look-up until gateways change", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-auth-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    const calls = new Map<string, number>();
    let now = 1_000_000;
    const cache = new GatewayCache(counting(store, calls), {
      now: () => now,
    });
    // 50 s of keepalives every 0.5 s.
    for (let i = 0; i < 100; i++, now += 500) {
      assertEquals((await cache.authenticate("goippy_2001", "pw")).ok, true);
    }
    assertEquals(calls.get("gatewayByGoipId"), 1);
    assertEquals(calls.get("gatewaysVersion"), 25, "asked every 2 s");
    // Between checks the cache answers without a promise; when a check is
    // due, or for an id it does not hold, it says so (null).
    now -= 500;
    assertEquals(cache.authenticateCached("goippy_2001", "pw")?.ok, true);
    assertEquals(
      why(cache.authenticateCached("goippy_2001", "x")!),
      "wrong password",
    );
    assertEquals(cache.authenticateCached("goippy_2002", "pw"), null);
    now += 2000;
    assertEquals(cache.authenticateCached("goippy_2001", "pw"), null);
    now -= 1500;
    // A change through the store is seen at the next check.
    await store.setGatewayEnabled("2001", false);
    now += 2000;
    assertEquals(
      why(await cache.authenticate("goippy_2001", "pw")),
      "disabled",
    );
    assertEquals(calls.get("gatewayByGoipId"), 2);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GatewayCache: a change made by hand in SQL is seen within the longest age", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-auth-" });
  const path = `${dir}/db.sqlite3`;
  const store = openSqliteStore(path);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    let now = 1_000_000;
    const cache = new GatewayCache(store, { maxAgeMs: 60_000, now: () => now });
    assertEquals((await cache.authenticate("goippy_2001", "pw")).ok, true);
    const db = new DatabaseSync(path);
    db.exec("UPDATE goippy_gateways SET goip_pass = 'new' WHERE ext = '2001'");
    db.close();
    now += 59_999;
    assertEquals((await cache.authenticate("goippy_2001", "pw")).ok, true);
    now += 1;
    assertEquals(
      why(await cache.authenticate("goippy_2001", "pw")),
      "wrong password",
    );
    assertEquals((await cache.authenticate("goippy_2001", "new")).ok, true);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GatewayCache: a look-up that raced a change is not kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-auth-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    let hold: PromiseWithResolvers<void> | null = null;
    const slow = new Proxy(store, {
      get(target, key) {
        const v = Reflect.get(target, key, target);
        if (key !== "gatewayByGoipId") {
          return typeof v === "function" ? v.bind(target) : v;
        }
        return async (id: string) => {
          const row = await target.gatewayByGoipId(id); // read before the change
          if (hold) await hold.promise;
          return row;
        };
      },
    });
    let now = 1_000_000;
    const cache = new GatewayCache(slow, { now: () => now });
    hold = Promise.withResolvers<void>();
    const racing = cache.authenticate("goippy_2001", "pw");
    await new Promise((r) => setTimeout(r, 10));
    await store.setGatewayEnabled("2001", false);
    now += 2000;
    const held = hold;
    hold = null;
    // Another packet makes the cache ask the version: it changed.
    assertEquals(
      why(await cache.authenticate("goippy_9", "pw")),
      "unknown id",
    );
    held.resolve();
    assertEquals((await racing).ok, true, "answered with what it read");
    assertEquals(
      why(await cache.authenticate("goippy_2001", "pw")),
      "disabled",
      "the raced row was not cached",
    );
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GatewayCache: while the store is away, cached lines are still answered; others fail", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-auth-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    let down = false;
    let asked = 0;
    const flaky = new Proxy(store, {
      get(target, key) {
        const v = Reflect.get(target, key, target);
        if (key === "gatewaysVersion") asked++;
        if (down && (key === "gatewaysVersion" || key === "gatewayByGoipId")) {
          return () => Promise.reject(new Error("database away"));
        }
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    let now = 1_000_000;
    const cache = new GatewayCache(flaky, { now: () => now });
    assertEquals((await cache.authenticate("goippy_2001", "pw")).ok, true);
    down = true;
    now += 2000;
    assertEquals((await cache.authenticate("goippy_2001", "pw")).ok, true);
    const failed = async (id: string) => {
      try {
        await cache.authenticate(id, "pw");
        return "";
      } catch (err) {
        return (err as Error).message;
      }
    };
    assertEquals(await failed("goippy_9"), "database away");
    // Asked once while away: not again before the interval is over.
    assertEquals(asked, 2);
    down = false;
    await store.setGatewayEnabled("2001", false);
    now += 2000;
    assertEquals(
      why(await cache.authenticate("goippy_2001", "pw")),
      "disabled",
      "back: the change made meanwhile is seen",
    );
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GatewayCache: a flood of unknown ids neither forgets known gateways nor grows without bound", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-auth-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    await store.addGateway({ ext: "2002", goipPass: "pw" });
    const calls = new Map<string, number>();
    const now = 1_000_000;
    const cache = new GatewayCache(counting(store, calls), { now: () => now });
    assertEquals((await cache.authenticate("goippy_2001", "pw")).ok, true);
    const flood = GatewayCache.MAX_UNKNOWN + 10;
    for (let i = 0; i < flood; i++) {
      assertEquals(
        why(await cache.authenticate(`spoof${i}`, "pw")),
        "unknown id",
      );
    }
    assertEquals(calls.get("gatewayByGoipId"), 1 + flood);
    // The known line is still answered from memory.
    assertEquals(cache.authenticateCached("goippy_2001", "pw")?.ok, true);
    // The latest unknown ids are remembered (no look-up), the oldest were
    // let go to keep the bound.
    assertEquals(
      why(await cache.authenticate(`spoof${flood - 1}`, "pw")),
      "unknown id",
    );
    assertEquals(calls.get("gatewayByGoipId"), 1 + flood);
    assertEquals(cache.authenticateCached("spoof0", "pw"), null);
    // A gateway the CLI adds later is found (no stale negative entry).
    assertEquals((await cache.authenticate("goippy_2002", "pw")).ok, true);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GatewayCache: a sweep keeps busy entries fresh without a look-up each, and sees changes made by hand in SQL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-auth-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    for (const ext of ["2001", "2002", "2003"]) {
      await store.addGateway({ ext, goipPass: "pw" });
    }
    const calls = new Map<string, number>();
    let now = 1_000_000;
    const cache = new GatewayCache(counting(store, calls), {
      maxAgeMs: 60_000,
      now: () => now,
    });
    for (const ext of ["2001", "2002", "2003"]) {
      assertEquals((await cache.authenticate(`goippy_${ext}`, "pw")).ok, true);
    }
    // By hand, leaving the version alone: a new password, a removed row.
    const db = new DatabaseSync(`${dir}/db.sqlite3`);
    db.prepare("UPDATE goippy_gateways SET goip_pass = 'new' WHERE ext = ?")
      .run("2001");
    db.prepare("DELETE FROM goippy_gateways WHERE ext = ?").run("2003");
    db.close();
    now += 50_000;
    await cache.sweep();
    now += 50_000; // past the longest age since the look-ups, not the sweep
    assertEquals(
      why(await cache.authenticate("goippy_2001", "pw")),
      "wrong password",
    );
    assertEquals((await cache.authenticate("goippy_2002", "pw")).ok, true);
    assertEquals(calls.get("gatewayByGoipId"), 3, "answered from the sweep");
    // The removed one is no longer held: asked again, and unknown.
    assertEquals(
      why(await cache.authenticate("goippy_2003", "pw")),
      "unknown id",
    );
    assertEquals(calls.get("gatewayByGoipId"), 4);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
