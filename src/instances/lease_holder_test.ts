import assert from "node:assert/strict";
import { createLogger } from "../log.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import { holdLease } from "./lease_holder.ts";

const log = createLogger({ level: "error", journald: false, write: () => {} });

/** Resolve once `cond` holds (checked every 10 ms). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

Deno.test("holdLease: one job runs at a time; a clean stop hands it over", async () => {
  const dir = await Deno.makeTempDir();
  const store = await openSqliteStore(`${dir}/l.sqlite3`);
  await store.migrate();
  try {
    const running = new Set<string>();
    let overlap = false;
    const holder = (id: string) =>
      holdLease({
        store,
        name: "job",
        holder: id,
        ttlMs: 400,
        log,
        onAcquired: () => {
          running.add(id);
          if (running.size > 1) overlap = true;
        },
        onLost: () => {
          running.delete(id);
          return Promise.resolve();
        },
      });
    const a = holder("a");
    await until(() => a.held());
    const b = holder("b");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(b.held(), false, "b stands by while a renews");
    await a.stop();
    assert.equal(a.held(), false);
    await until(() => b.held());
    assert.deepEqual([...running], ["b"]);
    await b.stop();
    assert.equal(running.size, 0);
    assert.equal(overlap, false);
    assert.equal((await store.lease("job"))?.expiresMs, 0, "released");
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("holdLease: a holder that cannot renew steps down before the lease expires", async () => {
  const dir = await Deno.makeTempDir();
  const store = await openSqliteStore(`${dir}/l.sqlite3`);
  await store.migrate();
  let failing = false;
  const flaky = {
    acquireLease: (n: string, h: string, now: number, ttl: number) =>
      failing
        ? Promise.reject(new Error("database away"))
        : store.acquireLease(n, h, now, ttl),
    releaseLease: (n: string, h: string) => store.releaseLease(n, h),
  };
  try {
    let lostAt = 0;
    const a = holdLease({
      store: flaky,
      name: "job",
      holder: "a",
      ttlMs: 400,
      log,
      onAcquired: () => {},
      onLost: () => {
        lostAt = Date.now();
        return Promise.resolve();
      },
    });
    await until(() => a.held());
    failing = true;
    await until(() => !a.held());
    const expires = (await store.lease("job"))!.expiresMs;
    assert.ok(lostAt < expires, "stepped down before another may take it");
    await a.stop();
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
