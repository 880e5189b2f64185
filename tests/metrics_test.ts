/**
 * /metrics and /health over real HTTP on 127.0.0.1, backed by a real SQLite
 * store in a temp dir.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { openSqliteStore } from "../src/store/sqlite.ts";
import type { LineState, Store } from "../src/store/types.ts";
import {
  createGoippyMetrics,
  LINE_SERIES_CAP,
  type XmppState,
} from "../src/metrics/goippy.ts";
import { startMetricsServer } from "../src/metrics/server.ts";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { freeTcpPort } from "./support/ports.ts";

function line(goipId: string, ext: string, lastSeenMs: number): LineState {
  return {
    goipId,
    ext,
    msisdn: "",
    addr: "127.0.0.1:5000",
    lastSeenMs,
    signal: 20,
    gsmStatus: "LOGIN",
    voipStatus: "",
    voipState: "IDLE",
    remainTime: null,
    provider: "TestNet",
    disableStatus: false,
    imei: "",
    imsi: "",
    iccid: "",
  };
}

async function withStore(fn: (store: Store) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "goippy-metrics-" });
  const store = openSqliteStore(`${dir}/goippy.sqlite3`);
  try {
    await store.migrate();
    await fn(store);
  } finally {
    await store.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

/** The value of one series in a Prometheus text body (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("GET /metrics shows counters, lines, queues, keepalive age and XMPP", async () => {
  await withStore(async (store) => {
    const now = Date.now();
    await store.addGateway({ ext: "2001", goipPass: "a" });
    await store.addGateway({ ext: "2002", goipPass: "b" });
    await store.addGateway({ ext: "2003", goipPass: "c" });
    await store.saveLineState({
      ...line("goippy_2001", "2001", now - 5_000),
      owner: "east",
    });
    await store.saveLineState({
      ...line("goippy_2002", "2002", now - 3_600_000),
      owner: "west",
    });
    const beat = { host: "h", pid: 1, version: "0", startedMs: now };
    await store.heartbeat({ ...beat, instanceId: "east", heartbeatMs: now });
    await store.heartbeat({
      ...beat,
      instanceId: "west",
      heartbeatMs: now - 60_000,
    });
    await store.enqueueInbox({
      kind: "chat",
      fromJid: "+1@sms.example.org",
      toJid: "2001@example.org",
      body: "hi",
      refId: "",
      goipId: "goippy_2001",
    });
    for (const body of ["one", "two"]) {
      await store.enqueueOutbox({
        ext: "2001",
        goipId: "goippy_2001",
        kind: "sms",
        number: "+100",
        body,
        fromJid: "2001@example.org",
        toJid: "+100@sms.example.org",
        stanzaId: "",
        wantReceipt: false,
        origin: "xmpp",
      });
    }
    const metrics = createGoippyMetrics();
    metrics.datagramsIn.inc({ type: "keepalive" }, 3);
    metrics.datagramsIn.inc({ type: "receive" });
    metrics.datagramsOut.inc({ type: "reg" }, 3);
    metrics.authFailures.inc();
    metrics.smsIn.inc();
    metrics.smsFailed.inc({}, 2);
    let xmpp: XmppState = "connected";
    const server = await startMetricsServer({
      bind: "127.0.0.1:0",
      metrics,
      store,
      offlineAfterS: () => 180,
      instanceDeadAfterS: () => 15,
      health: { udp: () => true, xmpp: () => xmpp },
    });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      assertEquals(res.status, 200);
      assert(res.headers.get("content-type")?.startsWith("text/plain"));
      const text = await res.text();
      assert(text.includes("# TYPE goippy_datagrams_in_total counter\n"));
      assert(text.includes("# HELP goippy_lines_online "));
      const want: [string, number][] = [
        ['goippy_datagrams_in_total{type="keepalive"}', 3],
        ['goippy_datagrams_in_total{type="receive"}', 1],
        ['goippy_datagrams_out_total{type="reg"}', 3],
        ["goippy_auth_failures_total", 1],
        ["goippy_sms_in_total", 1],
        ["goippy_sms_out_total", 0],
        ["goippy_sms_failed_total", 2],
        ["goippy_lines_known", 3],
        ["goippy_lines_online", 1],
        ['goippy_lines{state="online"}', 1],
        ['goippy_lines{state="offline"}', 2],
        ['goippy_lines{state="disabled"}', 0],
        ['goippy_queue_depth{queue="inbox_pending"}', 1],
        ['goippy_queue_depth{queue="outbox_queued"}', 2],
        ['goippy_queue_depth{queue="outbox_sending"}', 0],
        ["goippy_xmpp_connected", 1],
        ["goippy_instances_alive", 1],
        ['goippy_lines_owned{instance="east"}', 1],
        ['goippy_lines_owned{instance="west"}', 1],
      ];
      for (const [series, value] of want) {
        assertEquals(sample(text, series), value, series);
      }
      const age = sample(
        text,
        'goippy_last_keepalive_age_seconds{ext="2001",goip_id="goippy_2001"}',
      );
      assert(age !== undefined && age >= 5 && age < 3600, String(age));
      assert(
        !text.includes('goip_id="goippy_2003"'),
        "a line that never sent a keepalive has no age",
      );

      xmpp = "off";
      const off = await (await fetch(`http://127.0.0.1:${server.port}/metrics`))
        .text();
      assertEquals(sample(off, "goippy_xmpp_connected"), undefined);

      const missing = await fetch(`http://127.0.0.1:${server.port}/nope`);
      assertEquals(missing.status, 404);
      await missing.body?.cancel();
      const post = await fetch(`http://127.0.0.1:${server.port}/metrics`, {
        method: "POST",
      });
      assertEquals(post.status, 405);
      await post.body?.cancel();
    } finally {
      await server.stop();
    }
  });
});

Deno.test("GET /metrics: above LINE_SERIES_CAP lines only totals, no per-line series", async () => {
  await withStore(async (store) => {
    const now = Date.now();
    const lines = LINE_SERIES_CAP + 200;
    for (let i = 0; i < lines; i++) {
      await store.addGateway({ ext: String(10_000 + i), goipPass: "p" });
    }
    for (let i = 0; i < 30; i++) {
      const ext = String(10_000 + i);
      // 20 online, 10 seen an hour ago.
      const seen = i < 20 ? now - 5_000 : now - 3_600_000;
      await store.saveLineState(line(`goippy_${ext}`, ext, seen));
    }
    // Online but disabled, and disabled never seen: both count as disabled.
    await store.setGatewayEnabled("10000", false);
    await store.setGatewayEnabled("10999", false);
    const metrics = createGoippyMetrics();
    const server = await startMetricsServer({
      bind: "127.0.0.1:0",
      metrics,
      store,
      offlineAfterS: () => 180,
      // Every line limited: still no per-line limit series above the cap.
      limits: () => ({
        SEND_INTERVAL: 0,
        SEND_JITTER: 0,
        SEND_LIMIT_HOUR: 10,
        SEND_LIMIT_DAY: 0,
        SEND_LIMIT_RECIPIENTS_MONTH: 0,
      }),
      health: { udp: () => true, xmpp: () => "off" },
    });
    try {
      const text =
        await (await fetch(`http://127.0.0.1:${server.port}/metrics`))
          .text();
      const want: [string, number][] = [
        ["goippy_lines_known", lines],
        ["goippy_lines_online", 19],
        ['goippy_lines{state="online"}', 19],
        ['goippy_lines{state="offline"}', lines - 21],
        ['goippy_lines{state="disabled"}', 2],
      ];
      for (const [series, value] of want) {
        assertEquals(sample(text, series), value, series);
      }
      assert(!text.includes("goip_id="), "no per-line series above the cap");
      assert(text.split("\n").length < 200, "a scrape stays small");
    } finally {
      await server.stop();
    }
  });
});

Deno.test("GET /health: 200 when store and UDP are fine, 503 otherwise", async () => {
  await withStore(async (store) => {
    let udp = true;
    let xmpp: XmppState = "disconnected";
    const server = await startMetricsServer({
      bind: "127.0.0.1:0",
      metrics: createGoippyMetrics(),
      store,
      offlineAfterS: () => 180,
      health: { udp: () => udp, xmpp: () => xmpp },
    });
    const url = `http://127.0.0.1:${server.port}/health`;
    try {
      let res = await fetch(url);
      assertEquals(res.status, 200);
      assertEquals(await res.json(), {
        store: "ok",
        udp: "ok",
        xmpp: "disconnected",
      });

      xmpp = "connected";
      udp = false;
      res = await fetch(url);
      assertEquals(res.status, 503);
      assertEquals(await res.json(), {
        store: "ok",
        udp: "closed",
        xmpp: "connected",
      });

      udp = true;
      await store.close();
      res = await fetch(url);
      assertEquals(res.status, 503);
      const body = await res.json();
      assert(String(body.store).startsWith("error"), JSON.stringify(body));
      assertEquals(body.udp, "ok");

      const scrape = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      assertEquals(scrape.status, 503);
      await scrape.body?.cancel();
    } finally {
      await server.stop();
    }
  });
});

Deno.test("startMetricsServer refuses a bad METRICS_BIND and a busy port", async () => {
  await withStore(async (store) => {
    const opts = {
      metrics: createGoippyMetrics(),
      store,
      offlineAfterS: () => 180,
      health: { udp: () => true, xmpp: (): XmppState => "off" },
    };
    let msg = "";
    try {
      await startMetricsServer({ ...opts, bind: "nonsense" });
    } catch (err) {
      msg = (err as Error).message;
    }
    assert(msg.includes("METRICS_BIND must be host:port"), msg);

    const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      let failed = false;
      try {
        const s = await startMetricsServer({
          ...opts,
          bind: `127.0.0.1:${(busy.addr as Deno.NetAddr).port}`,
        });
        await s.stop();
      } catch (err) {
        failed = err instanceof Deno.errors.AddrInUse;
      }
      assert(failed, "binding a busy port must fail with AddrInUse");
    } finally {
      busy.close();
    }
  });
});

Deno.test("the real daemon counts traffic on /metrics and reports /health", async () => {
  const port = freeTcpPort();
  const d = await startDaemon({
    config: { METRICS_BIND: `127.0.0.1:${port}` },
    gateways: [{ ext: "2001", password: "pw" }],
  });
  let sim: GoipSim | null = null;
  try {
    sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: d.udpPort },
      id: "goippy_2001",
      password: "pw",
    });
    assert((await sim.keepalive()).includes("status:200"));
    assertEquals((await sim.receive("+3725550001", "hello")).acked, true);
    const wrong = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: d.udpPort },
      id: "goippy_2001",
      password: "not-the-password",
    });
    try {
      assert((await wrong.keepalive()).includes("status:404"));
    } finally {
      await wrong.close();
    }
    const sent = await d.cli([
      "--send",
      "2001",
      "+3725550002",
      "out we go",
      "--timeout",
      "30",
    ]);
    assertEquals(sent.code, 0, sent.stderr + d.logs());

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assertEquals(health.status, 200);
    assertEquals(await health.json(), { store: "ok", udp: "ok", xmpp: "off" });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assertEquals(sample(text, "goippy_sms_in_total"), 1, text);
    assertEquals(sample(text, "goippy_sms_out_total"), 1, text);
    assertEquals(sample(text, "goippy_sms_failed_total"), 0, text);
    assertEquals(sample(text, "goippy_auth_failures_total"), 1, text);
    assertEquals(sample(text, "goippy_lines_known"), 1, text);
    assertEquals(sample(text, "goippy_lines_online"), 1, text);
    assertEquals(
      sample(text, 'goippy_datagrams_in_total{type="keepalive"}'),
      2,
      text,
    );
    assertEquals(
      sample(text, 'goippy_datagrams_in_total{type="receive"}'),
      1,
      text,
    );
    const out = text.split("\n").filter((l) =>
      l.startsWith("goippy_datagrams_out_total{")
    );
    assert(out.length >= 2, text);
    assert(
      text.includes(
        'goippy_last_keepalive_age_seconds{ext="2001",goip_id="goippy_2001"}',
      ),
      text,
    );
  } finally {
    await sim?.close();
    assertEquals(await d.stop(), 0);
  }
});
