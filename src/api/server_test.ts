import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
} from "node:assert/strict";
import { defaultConfig } from "../config/defaults.ts";
import { Hub } from "../hub.ts";
import { createLogger } from "../log.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import { apiHandler } from "./server.ts";
import { newToken } from "./tokens.ts";

const LOOPBACK: Deno.NetAddr = {
  transport: "tcp",
  hostname: "127.0.0.1",
  port: 50000,
};
const REMOTE: Deno.NetAddr = {
  transport: "tcp",
  hostname: "192.0.2.7",
  port: 50000,
};

async function world() {
  const store = openSqliteStore(":memory:");
  await store.migrate();
  const config = { ...defaultConfig(), API_RATE_PER_MIN: 2 };
  const handler = apiHandler({
    store,
    hub: new Hub(),
    config: () => config,
    log: createLogger({ level: "error", journald: false, write: () => {} }),
    status: { xmpp: () => "off" },
  });
  const { token, hash } = await newToken();
  await store.addApiToken({ name: "t", hash, lines: null });
  return { store, handler, token };
}

Deno.test("a token over its rate gets 429 with Retry-After; another token does not", async () => {
  const { store, handler, token } = await world();
  try {
    const get = (t: string) =>
      handler(
        new Request("http://x/api/v1/lines", {
          headers: { authorization: `Bearer ${t}` },
        }),
        LOOPBACK,
      );
    assertEquals((await get(token)).status, 200);
    assertEquals((await get(token)).status, 200);
    const third = await get(token);
    assertEquals(third.status, 429);
    assertEquals(third.headers.get("retry-after"), "30");
    assertEquals((await third.json()).error, "rate_limited");
    const other = await newToken();
    await store.addApiToken({ name: "u", hash: other.hash, lines: null });
    assertEquals((await get(other.token)).status, 200);
  } finally {
    await store.close();
  }
});

Deno.test("the status page: loopback without a token, elsewhere only with one", async () => {
  const { store, handler, token } = await world();
  try {
    const page = (addr: Deno.NetAddr, t?: string) =>
      handler(
        new Request("http://x/", {
          headers: t ? { authorization: `Bearer ${t}` } : {},
        }),
        addr,
      );
    const local = await page(LOOPBACK);
    assertEquals(local.status, 200);
    assertMatch(await local.text(), /<title>goippy – 0\/0 lines online/);
    assertEquals((await page(REMOTE)).status, 401);
    assertEquals((await page(REMOTE, "gpy_wrong")).status, 401);
    assertEquals((await page(REMOTE, token)).status, 200);
  } finally {
    await store.close();
  }
});

Deno.test("unknown paths are 404 and wrong methods 405, as JSON", async () => {
  const { store, handler } = await world();
  try {
    const a = await handler(new Request("http://x/api/v2/sms"), LOOPBACK);
    assertEquals([a.status, (await a.json()).error], [404, "not_found"]);
    const b = await handler(
      new Request("http://x/api/v1/lines", { method: "DELETE" }),
      LOOPBACK,
    );
    assertEquals([b.status, (await b.json()).error], [
      405,
      "method_not_allowed",
    ]);
  } finally {
    await store.close();
  }
});

Deno.test("the status page escapes what GoIPs report", async () => {
  const { store, handler } = await world();
  try {
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    await store.saveLineState({
      goipId: "goippy_2001",
      ext: "2001",
      msisdn: "",
      addr: "127.0.0.1:9991",
      lastSeenMs: Date.now(),
      signal: 20,
      gsmStatus: "LOGIN",
      voipStatus: "LOGIN",
      voipState: "IDLE",
      remainTime: null,
      provider: "<script>alert(1)</script>",
      disableStatus: null,
      imei: "",
      imsi: "",
      iccid: "",
    });
    const html = await (await handler(new Request("http://x/"), LOOPBACK))
      .text();
    assertEquals(html.includes("<script>"), false);
    assertMatch(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assertMatch(html, /<tr class="line online" data-line="2001">/);
  } finally {
    await store.close();
  }
});
