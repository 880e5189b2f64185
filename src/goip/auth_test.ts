import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openSqliteStore } from "../store/sqlite.ts";
import { GatewayCache, sameSecret } from "./auth.ts";

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

Deno.test("GatewayCache: refusals, and CLI changes seen after the cache time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-auth-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    let now = 1_000_000;
    const cache = new GatewayCache(store, 2000, () => now);
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
    now += 1; // expired: the change is seen
    assertEquals(await cache.authenticate("goippy_2001", "pw"), {
      ok: false,
      why: "disabled",
    });
    await store.addGateway({ ext: "2009", goipPass: "x" });
    assertEquals((await cache.authenticate("goippy_2009", "x")).ok, true);
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
    const cache = new GatewayCache(counted, 2000);
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
