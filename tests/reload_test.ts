/**
 * SIGHUP, end to end: the real daemon re-reads its config file, and a change
 * of each live key (`LIVE_KEYS`) shows where a user would see it, in every
 * part that reads that key: the inbound handlers, the source guard, the
 * offline watch, the outbound driver, the metrics endpoint, the retention
 * purge, the logger and (with a real Prosody) the XMPP status command.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import type { OutboxItem, Store } from "../src/store/types.ts";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { waitFor } from "./support/poll.ts";
import { freeTcpPort } from "./support/ports.ts";
import { startProsody } from "./support/prosody.ts";
import { connectUser, type XmppUser } from "./support/xmpp_user.ts";
import { COMPONENT, DOMAIN, SECRET, WAIT } from "./support/xmpp_world.ts";

type Value = string | number | boolean | string[];

/** Rewrite some keys of the daemon's config file, SIGHUP, wait for the reload. */
async function reload(d: DaemonHandle, change: Record<string, Value>) {
  const keys = Object.keys(change);
  const kept = (await Deno.readTextFile(d.configPath)).split("\n").filter((
    l,
  ) => l.trim() !== "" && !keys.includes(l.split("=")[0].trim()));
  const added = keys.map((k) => {
    const v = change[k];
    return `${k} = ${
      typeof v === "string" || Array.isArray(v) ? JSON.stringify(v) : v
    }`;
  });
  await Deno.writeTextFile(d.configPath, [...kept, ...added, ""].join("\n"));
  const mark = d.logs().length;
  d.signal("SIGHUP");
  await logAfter(d, mark, new RegExp(`reloaded .*changed .*${keys[0]}`));
}

/** Wait for a log line matching `re` printed after `mark`. */
async function logAfter(
  d: DaemonHandle,
  mark: number,
  re: RegExp,
  timeoutMs = 10_000,
): Promise<string> {
  let m: RegExpMatchArray | null = null;
  await waitFor(
    () => (m = d.logs().slice(mark).match(re)) !== null,
    timeoutMs,
    () => `${re} after the mark:\n${d.logs().slice(mark)}`,
    20,
  );
  return (m as RegExpMatchArray | null)![0];
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  let v: T | undefined;
  await waitFor(async () => (v = await fn()) !== undefined, timeoutMs, what);
  return v as T;
}

function queueSms(store: Store, body: string): Promise<number> {
  return store.enqueueOutbox({
    ext: "2001",
    goipId: "goippy_2001",
    kind: "sms",
    number: "+3725551111",
    body,
    fromJid: "",
    toJid: "",
    stanzaId: "",
    wantReceipt: false,
    origin: "cli",
  });
}

function itemIn(
  store: Store,
  id: number,
  state: OutboxItem["state"],
): Promise<OutboxItem> {
  return until(`outbox #${id} ${state}`, async () => {
    const item = await store.outboxItem(id);
    return item?.state === state ? item : undefined;
  });
}

async function inboxBodies(store: Store, text: string): Promise<string[]> {
  return (await store.pendingInbox(1000)).map((i) => i.body).filter((b) =>
    b.includes(text)
  );
}

async function metrics(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return await res.text();
}

Deno.test("SIGHUP: a change of each live key reaches every part that reads it", async (t) => {
  const sims: GoipSim[] = [];
  let d: DaemonHandle | null = null;
  let store: Store | null = null;
  try {
    d = await startDaemon({
      config: {
        XMPP_COMPONENT_JID: COMPONENT,
        XMPP_PORT: freeTcpPort(), // nobody listens: inbox rows stay pending
        CALL_NOTIFY: false,
        RECEIVE_DEDUPE_MINUTES: 0,
      },
      gateways: [{ ext: "2001", password: "pw" }],
    });
    const daemon = d;
    const db = store = await d.openStore();
    const sim = async (password: string) => {
      const s = await GoipSim.start({
        server: { hostname: "127.0.0.1", port: daemon.udpPort },
        id: "goippy_2001",
        password,
        num: "+3725559999",
        retransmitMs: 400,
      });
      sims.push(s);
      return s;
    };
    const line = await sim("pw");
    assertEquals(await line.keepalive(), "reg:1;status:200;");

    await t.step("LOG_LEVEL: the logger", async () => {
      await reload(daemon, { LOG_LEVEL: "info" });
      const quiet = daemon.logs().length;
      await line.keepalive();
      await reload(daemon, { LOG_LEVEL: "debug" });
      const between = daemon.logs().slice(quiet).split(/reloaded /)[0];
      assert(!between.includes(" DEBUG "), between);
      const loud = daemon.logs().length;
      await line.keepalive();
      await logAfter(daemon, loud, / DEBUG /);
    });

    await t.step("CALL_NOTIFY: the call events", async () => {
      await line.record(1, "+3725550001");
      assert((await line.hangup("", "Normal call clearing")).acked);
      assertEquals(await inboxBodies(db, "+3725550001"), []);
      await reload(daemon, { CALL_NOTIFY: true });
      await line.record(1, "+3725550002");
      assert((await line.hangup("", "Normal call clearing")).acked);
      assertEquals(await inboxBodies(db, "+3725550002"), [
        "Call from +3725550002 ended: Normal call clearing",
      ]);
    });

    await t.step("RECEIVE_DEDUPE_MINUTES: the RECEIVE batcher", async () => {
      const twice = async (body: string) => {
        const n = line.nextN();
        assert((await line.receive("+3725550003", body, { n })).acked);
        assert((await line.receive("+3725550003", body, { n })).acked);
        return (await inboxBodies(db, body)).length;
      };
      assertEquals(await twice("dedupe off"), 2);
      await reload(daemon, { RECEIVE_DEDUPE_MINUTES: 10 });
      assertEquals(await twice("dedupe on"), 1);
    });

    await t.step("SMS_SEND_MODE: the outbound attempt", async () => {
      await line.keepalive();
      await itemIn(db, await queueSms(db, "one packet"), "sent");
      await reload(daemon, { SMS_SEND_MODE: "msg" });
      await line.keepalive();
      await itemIn(db, await queueSms(db, "session"), "sent");
      assertEquals(
        line.sentSms.map((s) => [s.text, s.form]),
        [["one packet", "sms"], ["session", "session"]],
      );
    });

    const metricsPort = freeTcpPort();
    await t.step("METRICS_BIND: the metrics endpoint", async () => {
      await reload(daemon, { METRICS_BIND: `127.0.0.1:${metricsPort}` });
      await line.keepalive();
      assert(/^goippy_lines_online 1$/m.test(await metrics(metricsPort)));
    });

    await t.step(
      "GOIP_OFFLINE_AFTER: the offline watch, the metrics, the outbound driver",
      async () => {
        const mark = daemon.logs().length;
        await reload(daemon, { GOIP_OFFLINE_AFTER: 1 });
        await logAfter(
          daemon,
          mark,
          /line goippy_2001 \(ext 2001\) offline: no keepalive for 1 s/,
        );
        assert(/^goippy_lines_online 0$/m.test(await metrics(metricsPort)));
        const id = await queueSms(db, "waits for the line");
        // The driver polls every second: two looks at an offline line.
        await new Promise((r) => setTimeout(r, 2500));
        assertEquals((await db.outboxItem(id))?.state, "queued");
        await reload(daemon, { GOIP_OFFLINE_AFTER: 3600 });
        await itemIn(db, id, "sent");
        assert(/^goippy_lines_online 1$/m.test(await metrics(metricsPort)));
      },
    );

    await t.step("QUEUE_TTL: the outbound expiry", async () => {
      await line.keepalive(); // online again, to go offline by the new limit
      const mark = daemon.logs().length;
      await reload(daemon, { GOIP_OFFLINE_AFTER: 1 });
      await logAfter(daemon, mark, /line goippy_2001 \(ext 2001\) offline/);
      const id = await queueSms(db, "too old");
      await new Promise((r) => setTimeout(r, 1100));
      assertEquals((await db.outboxItem(id))?.state, "queued");
      await reload(daemon, { QUEUE_TTL: 1 });
      const item = await itemIn(db, id, "expired");
      assert(/waited more than 1 s/.test(item.error), item.error);
      await reload(daemon, { QUEUE_TTL: 86400, GOIP_OFFLINE_AFTER: 90 });
    });

    await t.step("LOG_RETENTION_DAYS: the retention purge", async () => {
      const mark = daemon.logs().length;
      await reload(daemon, { LOG_RETENTION_DAYS: 7 });
      await logAfter(daemon, mark, /retention: keeping 7 days/);
    });

    await t.step(
      "GOIP_ALLOW_SOURCES: the endpoint's source filter",
      async () => {
        line.retransmits = 0;
        assert((await line.keepaliveTry()).acked);
        await reload(daemon, { GOIP_ALLOW_SOURCES: ["10.0.0.0/8"] });
        assert(!(await line.keepaliveTry()).acked);
        await reload(daemon, { GOIP_ALLOW_SOURCES: [] });
        assert((await line.keepaliveTry()).acked);
      },
    );

    await t.step(
      "GOIP_AUTH_FAIL_LIMIT: the block after failed authentications",
      async () => {
        await reload(daemon, { GOIP_AUTH_FAIL_LIMIT: 2 });
        const spoof = await sim("wrong");
        spoof.retransmits = 0;
        const mark = daemon.logs().length;
        assert(/status:404/.test((await spoof.keepaliveTry()).reply ?? ""));
        await spoof.keepaliveTry();
        await logAfter(daemon, mark, /too many failed authentications/);
        // The whole address is ignored now, the right password too.
        assert(!(await line.keepaliveTry()).acked);
        await reload(daemon, { GOIP_AUTH_FAIL_LIMIT: 0 });
        assert((await line.keepaliveTry()).acked);
      },
    );

    assertEquals(await d.stop(), 0);
    d = null;
  } finally {
    for (const s of sims) await s.close();
    await store?.close();
    if (d) await d.stop().catch(() => {});
  }
});

Deno.test(
  "SIGHUP: GOIP_OFFLINE_AFTER reaches the XMPP status command",
  async () => {
    const server = await startProsody({
      domain: DOMAIN,
      componentJid: COMPONENT,
      componentSecret: SECRET,
      users: [{ user: "2001", password: "pw-2001" }],
    });
    let daemon = null as DaemonHandle | null;
    let sim: GoipSim | null = null;
    let user: XmppUser | null = null;
    try {
      daemon = await startDaemon({
        gateways: [{ ext: "2001", password: "goip-pw" }],
        config: {
          XMPP_HOST: "127.0.0.1",
          XMPP_PORT: server.componentPort,
          XMPP_DOMAIN: DOMAIN,
          XMPP_COMPONENT_JID: COMPONENT,
          XMPP_COMPONENT_SECRET: SECRET,
          GOIP_OFFLINE_AFTER: 3600,
        },
      });
      await daemon.waitForLog(/XMPP: connected to/, WAIT);
      sim = await GoipSim.start({
        server: { hostname: "127.0.0.1", port: daemon.udpPort },
        id: "goippy_2001",
        password: "goip-pw",
        num: "3725550000",
        retransmitMs: 500,
      });
      user = await connectUser({
        port: server.c2sPort,
        domain: DOMAIN,
        user: "2001",
        password: "pw-2001",
      });
      await sim.keepalive();
      const own = `+3725550000@${COMPONENT}`;
      const status = async () => {
        const u = user!;
        const before = u.stanzas.length;
        await u.sendMessage(own, "status");
        const m = await u.waitFor(
          (s) =>
            u.stanzas.indexOf(s) >= before && s.name === "message" &&
            (s.getChildText("body") ?? "").startsWith("Line "),
          WAIT,
        );
        return (m.getChildText("body") ?? "").split("\n")[0];
      };
      assert((await status()).endsWith(": online"));
      // Silent for over a second: offline by the new limit.
      await new Promise((r) => setTimeout(r, 1500));
      await reload(daemon, { GOIP_OFFLINE_AFTER: 1 });
      assert((await status()).endsWith(": offline"));
    } finally {
      await user?.stop();
      await sim?.close();
      const code = daemon ? await daemon.stop() : 0;
      await server.stop();
      assertEquals(code, 0, "daemon exit code");
    }
  },
);
