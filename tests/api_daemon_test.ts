/**
 * The HTTP API through the real daemon over real HTTP, with a simulated
 * GoIP: tokens from the CLI, an SMS sent once (an idempotent retry sends
 * nothing), its sms_no and delivery report, incoming SMS listed, USSD
 * answered or refused at once when offline, lines, the status page, the
 * OpenAPI document, and every refusal as a JSON 4xx.
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
} from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { startDaemon } from "./support/daemon.ts";
import { GATEWAY_CHECK_EVERY_MS } from "../src/inbound/cadence.ts";
import { TOKEN_TTL_MS } from "../src/api/lookup_cache.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import type { MariaDb } from "./support/mariadb.ts";
import { waitFor } from "./support/poll.ts";
import { freeTcpPort } from "./support/ports.ts";
import { type ApiAnswer, apiClient } from "./support/api_client.ts";

async function story(mysql?: MariaDb) {
  const apiPort = freeTcpPort();
  const d = await startDaemon({
    dbBackend: mysql ? "mysql" : "sqlite",
    mysql,
    config: { API_BIND: `127.0.0.1:${apiPort}`, API_RATE_PER_MIN: 10_000 },
    gateways: [
      { ext: "2001", password: "pw1", allowRegex: "\\+372" },
      { ext: "2002", password: "pw2" },
    ],
  });
  const sim = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: d.udpPort },
    id: "goippy_2001",
    password: "pw1",
    num: "+3725550001",
    retransmitMs: 500,
  });
  try {
    const token = async (...args: string[]) => {
      const r = await d.cli(["--token-add", ...args]);
      assertEquals(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    const admin = await token("ops");
    const shop = await token("shop", "--line", "2001");
    assertMatch(shop, /^gpy_[0-9a-f]{64}$/);
    const list = await d.cli(["--token-list"]);
    assertMatch(list.stdout, /ops +\(admin\)/);
    assertMatch(list.stdout, /shop +2001 /);
    const api = apiClient(`http://127.0.0.1:${apiPort}`);

    await waitFor(
      async () => (await sim.keepalive()).includes("status:200"),
      15_000,
      "keepalive accepted",
      200,
    );

    // Sent once; the retry with the same key returns the first result.
    const body = { line: "2001", to: "+3725551234", text: "order 17 shipped" };
    const headers = { "idempotency-key": "order-17" };
    const first = await api("POST", "/api/v1/sms", {
      token: shop,
      body,
      headers,
    });
    assertEquals(first.status, 202, JSON.stringify(first.json));
    assertEquals(first.json.state, "queued");
    await sim.waitForSms(1, 15_000);
    const id = first.json.id;
    await waitFor(
      async () =>
        (await api("GET", `/api/v1/sms/${id}`, { token: shop })).json.state ===
          "sent",
      10_000,
      "state sent",
    );
    const again = await api("POST", "/api/v1/sms", {
      token: shop,
      body,
      headers,
    });
    assertEquals([again.status, again.json], [202, { id, state: "sent" }]);
    assertEquals(again.headers.get("idempotent-replay"), "true");
    const sent = await api("GET", `/api/v1/sms/${id}`, { token: shop });
    assertEquals(sent.json.line, "2001");
    assertEquals(sent.json.to, "+3725551234");
    assertEquals(typeof sent.json.sms_no, "number");

    // DELIVER → delivered
    await sim.deliver(sent.json.sms_no, 0, "+3725551234");
    await waitFor(
      async () =>
        (await api("GET", `/api/v1/sms/${id}`, { token: shop })).json.state ===
          "delivered",
      10_000,
      "state delivered",
    );
    assertEquals(sim.sentSms.length, 1, "exactly one SMS went out");

    // A line's send limit: 429 with Retry-After and the limit's text,
    // nothing queued; a replay of an earlier request still answers as before.
    assertEquals((await d.cli(["--limits", "2001", "hour=1"])).code, 0);
    // The API sees a changed line at its next gateways-version check.
    await new Promise((r) => setTimeout(r, GATEWAY_CHECK_EVERY_MS));
    const over = await api("POST", "/api/v1/sms", {
      token: shop,
      body: { ...body, text: "one too many" },
    });
    assertEquals([over.status, over.json.error], [429, "limit_reached"]);
    assertMatch(over.json.message, /limit of 1 SMS per hour \(1 used\)/);
    assertMatch(over.headers.get("retry-after") ?? "", /^[1-9][0-9]*$/);
    const replay = await api("POST", "/api/v1/sms", {
      token: shop,
      body,
      headers,
    });
    assertEquals([replay.status, replay.json.id], [202, id]);
    assertEquals((await d.cli(["--limits", "2001", "hour=-"])).code, 0);
    assertEquals(sim.sentSms.length, 1, "the refused SMS never went out");

    // RECEIVE → listed, cursor-paginated
    await sim.receive("+3725559999", "first");
    await sim.receive("+3725559999", "second");
    const page1 = await api("GET", "/api/v1/messages?line=2001&limit=1", {
      token: shop,
    });
    assertEquals(page1.status, 200);
    assertEquals(
      page1.json.messages.map((m: { text: string }) => m.text),
      ["first"],
    );
    const page2 = await api(
      "GET",
      `/api/v1/messages?limit=5&after=${page1.json.next}`,
      { token: shop },
    );
    assertEquals(
      page2.json.messages.map((m: { from: string; text: string }) => [
        m.from,
        m.text,
      ]),
      [["+3725559999", "second"]],
    );
    assertEquals(page2.json.next, null);

    // USSD: answered while online, refused at once when offline
    sim.settings.ussdAnswer = "Balance: 5.00 EUR";
    const ussd = await api("POST", "/api/v1/ussd", {
      token: shop,
      body: { line: "2001", code: "*100#" },
    });
    assertEquals([ussd.status, ussd.json.state, ussd.json.answer], [
      200,
      "sent",
      "Balance: 5.00 EUR",
    ]);
    const offline = await api("POST", "/api/v1/ussd", {
      token: admin,
      body: { line: "2002", code: "*100#" },
    });
    assertEquals([offline.status, offline.json.error], [503, "line_offline"]);

    // lines: a scoped token sees its own only
    const lines = await api("GET", "/api/v1/lines", { token: shop });
    assertEquals(lines.json.lines.length, 1);
    assertEquals(lines.json.lines[0].line, "2001");
    assertEquals(lines.json.lines[0].online, true);
    assertEquals(lines.json.lines[0].msisdn, "+3725550001");
    const all = await api("GET", "/api/v1/lines", { token: admin });
    assertEquals(
      all.json.lines.map((l: { line: string }) => l.line).sort(),
      ["2001", "2002"],
    );

    // refusals: JSON {error, message}, nothing queued
    const refusals: [number, string, Promise<ApiAnswer>][] = [
      [401, "unauthorized", api("GET", "/api/v1/lines")],
      [401, "unauthorized", api("GET", "/api/v1/lines", { token: "nope" })],
      [
        403,
        "forbidden",
        api("POST", "/api/v1/sms", {
          token: shop,
          body: { ...body, line: "2002" },
        }),
      ],
      [
        404,
        "not_found",
        api("POST", "/api/v1/sms", {
          token: admin,
          body: { ...body, line: "9999" },
        }),
      ],
      [
        403,
        "not_allowed",
        api("POST", "/api/v1/sms", {
          token: shop,
          body: { ...body, to: "+4912345678" },
        }),
      ],
      [
        422,
        "invalid",
        api("POST", "/api/v1/sms", {
          token: shop,
          body: { ...body, to: "call me" },
        }),
      ],
      [
        422,
        "invalid",
        api("POST", "/api/v1/sms", {
          token: shop,
          raw: "{not json",
        }),
      ],
      [
        413,
        "too_large",
        api("POST", "/api/v1/sms", {
          token: shop,
          body: { ...body, text: "x".repeat(40_000) },
        }),
      ],
      [404, "not_found", api("GET", "/api/v1/sms/999999", { token: shop })],
      [404, "not_found", api("GET", "/api/v1/nothing", { token: shop })],
    ];
    for (const [status, error, answer] of refusals) {
      const a = await answer;
      assertEquals([a.status, a.json.error], [status, error], a.json.message);
      assertEquals(typeof a.json.message, "string");
    }
    const store = await d.openStore();
    try {
      assertEquals((await store.queueDepths()).outboxQueued, 0);
    } finally {
      await store.close();
    }

    // the OpenAPI document is valid OpenAPI 3.1
    const doc = await api("GET", "/api/v1/openapi.json");
    assertEquals(doc.json.openapi, "3.1.0");
    const check = await new Validator().validate(doc.json);
    assertEquals(check, { valid: true }, JSON.stringify(check.errors));

    // the status page from loopback
    const page = await api("GET", "/");
    assertEquals(page.status, 200);
    assertMatch(page.json, /<tr class="line online" data-line="2001">/);

    // a removed token is refused once the API's copy of it is too old
    assertEquals((await d.cli(["--token-remove", "shop"])).code, 0);
    await waitFor(
      async () =>
        (await api("GET", "/api/v1/lines", { token: shop })).status === 401,
      TOKEN_TTL_MS + 5_000,
      "the removed token refused",
    );
    assertEquals(sim.violations, []);
  } catch (err) {
    console.error(d.logs());
    throw err;
  } finally {
    await sim.close();
    await d.stop();
  }
}

Deno.test("the HTTP API sends, reports and refuses through the daemon (SQLite)", () =>
  story());

Deno.test({
  name: "the HTTP API sends, reports and refuses through the daemon (MariaDB)",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  async fn() {
    const db = await startMariaDb();
    if (!db) throw new Error(MARIADB_MISSING);
    try {
      await story(db);
    } finally {
      await db.stop();
    }
  },
});
