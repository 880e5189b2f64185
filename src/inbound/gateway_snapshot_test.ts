import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { createLogger } from "../log.ts";
import { SpoolFile } from "../spool/spool_file.ts";
import { deferredStore, StoreAwayError } from "../store/deferred.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import { GatewayCache } from "./auth.ts";
import { snapshotGateways } from "./gateway_snapshot.ts";

const quiet = createLogger({
  level: "error",
  journald: false,
  write: () => {},
});

Deno.test("gateway snapshot: kept in the spool file, replaced on refresh, and what authenticates while the store is away", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-snap-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  let file = new SpoolFile(`${dir}/spool.sqlite3`, {});
  try {
    await store.migrate();
    assertEquals(file.loadGateways(), []);
    await store.addGateway({ ext: "2001", goipPass: "pw1" });
    await store.addGateway({ ext: "2002", goipPass: "pw2" });
    await snapshotGateways(store, file, quiet);
    await store.removeGateway("2002");
    await store.setGatewayEnabled("2001", false);
    await store.setGatewayEnabled("2001", true);
    await store.addGateway({ ext: "2003", goipPass: "pw3" });
    await snapshotGateways(store, file, quiet);
    // Survives a restart of the file.
    file.close();
    file = new SpoolFile(`${dir}/spool.sqlite3`, {});
    const snap = file.loadGateways();
    assertEquals(snap.map((g) => [g.goipId, g.goipPass, g.ext, g.enabled]), [
      ["goippy_2001", "pw1", "2001", true],
      ["goippy_2003", "pw3", "2003", true],
    ]);
    assertEquals(snap.some((g) => "state" in g), false);

    const away = deferredStore("sqlite");
    const cache = new GatewayCache(away.store, { maxAgeMs: 1 });
    cache.seed(snap);
    assertEquals((await cache.authenticate("goippy_2001", "pw1")).ok, true);
    assertEquals(await cache.authenticate("goippy_2003", "bad"), {
      ok: false,
      why: "wrong password",
    });
    await rejects(cache.authenticate("goippy_2002", "pw2"), StoreAwayError);
    // Once the store answers, it is the store that says who is known.
    away.set(store);
    cache.clear();
    assertEquals((await cache.authenticate("goippy_2002", "pw2")).ok, false);
  } finally {
    file.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GatewayCache: onVersion runs when the store's gateways version changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-snap-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    let now = 0, calls = 0;
    const cache = new GatewayCache(store, {
      checkEveryMs: 10,
      now: () => now,
      onVersion: () => calls++,
    });
    await cache.authenticate("goippy_2001", "pw");
    now += 10;
    await cache.authenticate("goippy_2001", "pw");
    assertEquals(calls, 1);
    await store.addGateway({ ext: "2002", goipPass: "pw" });
    now += 10;
    await cache.authenticate("goippy_2001", "pw");
    assertEquals(calls, 2);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
