import assert from "node:assert/strict";
import { GATEWAY_CHECK_EVERY_MS } from "../inbound/cadence.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import type { Store } from "../store/types.ts";
import { LineCache, TOKEN_TTL_MS, TokenCache } from "./lookup_cache.ts";
import { hashToken } from "./tokens.ts";

/**
 * The daemon's store and a second one on the same file (the CLI in another
 * process), both on a clock that moves only when told.
 */
async function world() {
  const dir = await Deno.makeTempDir({ prefix: "goippy-apicache-" });
  let t = 1_000_000;
  const now = () => t;
  const path = `${dir}/db.sqlite`;
  const daemon = openSqliteStore(path, undefined, { now });
  await daemon.migrate();
  const cli = openSqliteStore(path, undefined, { now });
  return {
    daemon,
    cli,
    now,
    advance: (ms: number) => t += ms,
    async [Symbol.asyncDispose]() {
      await daemon.close();
      await cli.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function addToken(store: Store, name: string, secret: string) {
  await store.addApiToken({ name, hash: await hashToken(secret), lines: null });
}

Deno.test("TokenCache: a removed token is refused once its TTL has passed, a new one at once", async () => {
  await using w = await world();
  const tokens = new TokenCache(w.daemon, w.now);
  assert.equal(await tokens.get("gpy_shop"), undefined);
  await addToken(w.cli, "shop", "gpy_shop");
  assert.equal((await tokens.get("gpy_shop"))?.name, "shop", "misses not kept");
  await w.cli.removeApiToken("shop");
  w.advance(TOKEN_TTL_MS - 1);
  assert.equal((await tokens.get("gpy_shop"))?.name, "shop", "within the TTL");
  w.advance(1);
  assert.equal(await tokens.get("gpy_shop"), undefined);
  assert.equal(await tokens.get("gpy_other"), undefined);
});

Deno.test("LineCache: a line changed by another process is seen at the next version check", async () => {
  await using w = await world();
  const lines = new LineCache(w.daemon, w.now);
  assert.equal(await lines.get("1001"), undefined);
  await w.cli.addGateway({ ext: "1001", goipPass: "pw" });
  assert.equal((await lines.get("1001"))?.enabled, true, "misses not kept");
  await w.cli.setGatewayEnabled("1001", false);
  assert.equal((await lines.get("1001"))?.enabled, true, "kept until checked");
  w.advance(GATEWAY_CHECK_EVERY_MS);
  assert.equal((await lines.get("1001"))?.enabled, false);
  await w.cli.removeGateway("1001");
  w.advance(GATEWAY_CHECK_EVERY_MS);
  assert.equal(await lines.get("1001"), undefined);
});
