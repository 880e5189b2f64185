/**
 * The outbound sender end to end, in process: a real SQLite store, a real
 * UDP socket as the server side (keepalives learned into the store, replies
 * put on the hub, as the daemon's endpoint does) and the GoIP simulator as the
 * device. Timings are shortened through `startOutbound`'s options; no test
 * asserts a duration.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { defaultConfig } from "../src/config/load.ts";
import type { Config } from "../src/config/types.ts";
import { parseDatagram } from "../src/goip/parse.ts";
import { type Endpoint, startEndpoint } from "../src/goip/endpoint.ts";
import { formatKeepaliveReply } from "../src/goip/format.ts";
import {
  type Outbound,
  type OutboundDeps,
  startOutbound,
} from "../src/goip/outbound.ts";
import { Hub } from "../src/hub.ts";
import { createLogger, type Logger } from "../src/log.ts";
import { openStore } from "../src/store/open.ts";
import type { NewOutboxItem, OutboxItem, Store } from "../src/store/types.ts";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim, type GoipSimOptions } from "./support/goip_sim.ts";
import {
  haveMariaDb,
  type MariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";

const PASSWORD = "s3cret-pw";
const GOIP_ID = "goippy_2001";
const MSISDN = "+37255500001";
const USER = "2001@example.org";
const OWN_LINE = `${MSISDN}@sms.example.org`;

/**
 * The daemon's UDP endpoint with the little packet handling the sender
 * needs: authenticated keepalives learned into the store (and answered),
 * command replies put on the hub.
 */
function testEndpoint(store: Store, hub: Hub, log: Logger): Endpoint {
  const endpoint: Endpoint = startEndpoint({
    hostname: "127.0.0.1",
    port: 0,
    log,
    onDatagram: async (text, addr) => {
      const p = parseDatagram(text);
      if (p.type === "reply") hub.emit("reply", { addr, reply: p });
      if (p.type !== "keepalive") return;
      const gw = await store.gatewayByGoipId(p.id);
      if (!gw || gw.goipPass !== p.pass) return;
      const state = {
        goipId: gw.goipId,
        ext: gw.ext,
        msisdn: p.num,
        addr,
        lastSeenMs: Date.now(),
        signal: p.signal,
        gsmStatus: p.gsmStatus,
        voipStatus: p.voipStatus,
        voipState: p.voipState,
        remainTime: p.remainTime,
        provider: p.provider,
        disableStatus: p.disableStatus,
        imei: p.imei,
        imsi: p.imsi,
        iccid: p.iccid,
      };
      await store.saveLineState(state);
      await endpoint.send(addr, formatKeepaliveReply(p.n, 200));
      hub.emit("line", { state, cameOnline: true });
    },
  });
  return endpoint;
}

interface Setup {
  config?: Partial<Config>;
  sim?: Partial<GoipSimOptions>;
  /** Send a keepalive before starting the driver (default true). */
  online?: boolean;
  /** Do not start the driver (the test starts it with `startDriver`). */
  noDriver?: boolean;
  timings?: OutboundDeps["timings"];
  /** Use this MariaDB (a fresh database in it) instead of SQLite. */
  mariadb?: MariaDb;
}

/** Store + endpoint + simulator (+ driver); `close()` undoes everything. */
async function setup(opts: Setup = {}) {
  const dir = await Deno.makeTempDir({ prefix: "goippy-outbound-" });
  const config: Config = {
    ...defaultConfig(),
    SQLITE_PATH: `${dir}/goippy.sqlite3`,
    XMPP_DOMAIN: "example.org",
    XMPP_COMPONENT_JID: "sms.example.org",
    ...opts.config,
  };
  if (opts.mariadb) {
    const m = opts.mariadb;
    Object.assign(config, {
      DB_BACKEND: "mysql",
      DB_HOST: m.host,
      DB_PORT: m.port,
      DB_USER: m.user,
      DB_PASS: m.password,
      DB_NAME: await m.createDatabase(
        `outbound_${crypto.randomUUID().slice(0, 8)}`,
      ),
    });
  }
  const logs: string[] = [];
  const log = createLogger({
    level: "debug",
    journald: false,
    write: (l) => logs.push(l),
  });
  const store = await openStore(config, log);
  await store.migrate();
  await store.addGateway({ ext: "2001", goipPass: PASSWORD });
  const hub = new Hub();
  const endpoint = testEndpoint(store, hub, log);
  const sim = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: endpoint.port },
    id: GOIP_ID,
    password: PASSWORD,
    num: MSISDN,
    ...opts.sim,
  });
  if (opts.online ?? true) await sim.keepalive();
  let driver: Outbound | null = null;
  const startDriver = () => {
    driver = startOutbound({
      store,
      hub,
      transport: endpoint,
      config,
      log,
      pollMs: 100,
      expireEveryMs: 100,
      timings: {
        silenceMs: 1000,
        totalTimeoutMs: 20_000,
        ussdResendMs: 1000,
        ussdTimeoutMs: 20_000,
        retryLaterMs: 200,
        ...opts.timings,
      },
    });
  };
  if (!opts.noDriver) startDriver();

  const enqueue = async (item: Partial<NewOutboxItem> = {}) => {
    const id = await store.enqueueOutbox({
      ext: "2001",
      goipId: GOIP_ID,
      kind: "sms",
      number: "+3725551234",
      body: "Hello; it's me: ünïcode ✓",
      fromJid: USER,
      toJid: "+3725551234@sms.example.org",
      stanzaId: "m1",
      wantReceipt: true,
      origin: "xmpp",
      ...item,
    });
    hub.emit("outbox", { goipId: GOIP_ID });
    return id;
  };
  /** Wait until the row is in one of `states`; returns it. */
  const waitState = async (
    id: number,
    states: OutboxItem["state"][],
    timeoutMs = 15_000,
  ): Promise<OutboxItem> => {
    const end = Date.now() + timeoutMs;
    while (true) {
      const row = await store.outboxItem(id);
      // Final failures are complete once their human text is written too.
      const complete = row && (row.error !== "" ||
        ["sent", "delivered", "queued", "sending"].includes(row.state));
      if (row && complete && states.includes(row.state)) return row;
      if (Date.now() > end) {
        throw new Error(
          `row ${id} is ${row?.state} (${row?.error}), wanted ${states}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const close = async () => {
    if (driver) await (driver as Outbound).stop();
    await sim.close();
    await endpoint.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  };
  const reload = (change: Partial<Config>) =>
    (driver as Outbound | null)?.reload({ ...config, ...change });
  return {
    store,
    hub,
    sim,
    reload,
    logs,
    config,
    enqueue,
    waitState,
    startDriver,
    close,
  };
}

Deno.test("outbound: SMS out, one-packet form", async () => {
  const t = await setup();
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    assertEquals(t.sim.sentSms.length, 1);
    const sms = t.sim.sentSms[0];
    assertEquals(
      [sms.form, sms.number, sms.text, sms.telid],
      ["sms", "+3725551234", "Hello; it's me: ünïcode ✓", id],
    );
    assertEquals(row.smsNo, sms.smsNo);
    assertEquals(row.sendid, sms.sendid);
    assertEquals(row.attempts, 1);
    assertEquals(t.sim.violations, []);
    assertEquals(await t.store.pendingInbox(10), []);
    assert(!t.logs.some((l) => l.includes(PASSWORD)), "password in the log");
  } finally {
    await t.close();
  }
});

Deno.test("outbound: SMS out, session form MSG/PASSWORD/SEND/DONE", async () => {
  const t = await setup({ config: { SMS_SEND_MODE: "msg" } });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    assertEquals(t.sim.sentSms.length, 1);
    assertEquals(t.sim.sentSms[0].form, "session");
    assertEquals(t.sim.sentSms[0].text, "Hello; it's me: ünïcode ✓");
    assertEquals(row.smsNo, t.sim.sentSms[0].smsNo);
    await t.sim.waitForReceived((d) => d === `DONE ${row.sendid}\n`, 5000);
    assertEquals(t.sim.violations, []);
    assert(!t.logs.some((l) => l.includes(PASSWORD)), "password in the log");
  } finally {
    await t.close();
  }
});

Deno.test("outbound: WAIT, WAIT, WAIT, long pause, OK: exactly one SMS at the device", async () => {
  // WAITs 300 ms apart, then 2.5 s of silence before OK: longer than the
  // 1 s silence rule, which must not apply once the GoIP said WAIT.
  const t = await setup({
    sim: {
      smsBehaviour: "wait-long",
      waitCount: 3,
      waitIntervalMs: 300,
      okDelayMs: 2500,
    },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    assertEquals(t.sim.sentSms.length, 1);
    const smsPackets = t.sim.received.filter((d) => d.startsWith("SMS "));
    assertEquals(smsPackets.length, 1);
    assertEquals(t.sim.violations, []);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: old firmware OK without sms_no is sent", async () => {
  const t = await setup({ sim: { smsBehaviour: "no-sms-no" } });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals([row.state, row.smsNo], ["sent", null]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: device ERROR fails the SMS and tells the user", async () => {
  const t = await setup({ sim: { smsBehaviour: "error" } });
  try {
    const id = await t.enqueue({ stanzaId: "msg-42" });
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "failed");
    const text =
      "SMS not sent: the GSM module could not send it (errorstatus:1); the number may be wrong or the SIM out of credit";
    assertEquals(row.error, text);
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.fromJid, i.toJid, i.refId, i.body]),
      [["error", "+3725551234@sms.example.org", USER, "msg-42", text]],
    );
    assertEquals(t.sim.sentSms.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: complete silence: at most 2 resends, then uncertain", async () => {
  const seen: number[] = [];
  const t = await setup({
    sim: {
      smsBehaviour: (s) => {
        seen.push(s.count);
        return "silent";
      },
    },
    timings: { silenceMs: 300, totalTimeoutMs: 2000 },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "uncertain");
    assertEquals(seen, [1, 2, 3]);
    const text =
      "outcome uncertain: the GoIP never answered within 2 s; it may or may not have sent it";
    assertEquals(row.error, text);
    const inbox = await t.store.pendingInbox(10);
    assertEquals(inbox.map((i) => [i.kind, i.body]), [["error", text]]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: session form, silent GoIP: MSG resent at most twice, failed, no text sent", async () => {
  const t = await setup({
    config: { SMS_SEND_MODE: "msg" },
    sim: { smsBehaviour: "silent" },
    timings: { silenceMs: 300, totalTimeoutMs: 2000 },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "failed");
    assertEquals(row.error, "SMS not sent: no answer from the GoIP within 2 s");
    const sent = t.sim.received.filter((d) => /^(MSG|SEND|PASSWORD) /.test(d));
    assertEquals(sent.map((d) => d.split(" ")[0]), ["MSG", "MSG", "MSG"]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: GSM_LOGOUT puts the SMS back in the queue; it goes later", async () => {
  let calls = 0;
  const t = await setup({
    sim: { smsBehaviour: () => calls++ === 0 ? "gsm-logout" : "ok" },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals([row.state, row.attempts, row.error], ["sent", 2, ""]);
    assertEquals(t.sim.sentSms.length, 1);
    assertEquals(await t.store.pendingInbox(10), []);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: ERROR SENDID restarts with a new, higher sendid", async () => {
  let calls = 0;
  const t = await setup({
    sim: { smsBehaviour: () => calls++ === 0 ? "sendid-error" : "ok" },
  });
  try {
    const id = await t.enqueue();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    const sids = t.sim.received.filter((d) => d.startsWith("SMS ")).map((d) =>
      Number(d.split(" ")[1])
    );
    assertEquals(sids.length, 2);
    assert(sids[1] > sids[0], `sendids ${sids}`);
    assertEquals(t.sim.sentSms.map((s) => s.sendid), [sids[1]]);
    assertEquals(row.sendid, sids[1]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: one SMS at a time per line", async () => {
  const t = await setup({
    noDriver: true,
    sim: { smsBehaviour: "wait-long", waitCount: 2, okDelayMs: 400 },
  });
  try {
    const a = await t.enqueue({ body: "first", stanzaId: "a" });
    const b = await t.enqueue({ body: "second", stanzaId: "b" });
    t.startDriver();
    const rowB = await t.waitState(b, ["sent", "failed", "uncertain"]);
    const rowA = await t.waitState(a, ["sent"]);
    assertEquals(rowB.state, "sent");
    assertEquals(t.sim.sentSms.map((s) => s.text), ["first", "second"]);
    // The second reached the device only after the first was confirmed.
    assert(t.sim.sentSms[1].at >= rowA.updatedMs, "second sent before OK");
    assert(rowB.sendid! > rowA.sendid!, "sendids increase");
  } finally {
    await t.close();
  }
});

Deno.test("outbound: queued while the line is offline, sent when its keepalive returns", async () => {
  const t = await setup({ online: false });
  try {
    const id = await t.enqueue();
    // Several poll rounds pass with the line offline: nothing may go out.
    const other = await t.enqueue({ goipId: "goippy_9999", ext: "9999" });
    await t.waitState(other, ["failed"]);
    assertEquals((await t.store.outboxItem(id))?.state, "queued");
    assertEquals(t.sim.received.filter((d) => d.startsWith("SMS ")), []);
    await t.sim.keepalive();
    const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
    assertEquals(row.state, "sent");
    assertEquals(t.sim.sentSms.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: expires after QUEUE_TTL with an error to the user", async () => {
  const t = await setup({ online: false, config: { QUEUE_TTL: 1 } });
  try {
    const id = await t.enqueue({ stanzaId: "old" });
    const row = await t.waitState(id, ["expired"]);
    const text = "SMS not sent: line offline too long (waited more than 1 s)";
    assertEquals(row.error, text);
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.toJid, i.refId, i.body]),
      [["error", USER, "old", text]],
    );
    assertEquals(t.sim.received.filter((d) => d.startsWith("SMS ")), []);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: a send cut short by a crash is reported uncertain, never resent", async () => {
  const t = await setup({ noDriver: true });
  try {
    const id = await t.enqueue({ body: "interrupted", stanzaId: "crash" });
    await t.store.updateOutbox(id, { state: "sending", sendid: 17 });
    const cli = await t.enqueue({
      body: "from cli",
      origin: "cli",
      fromJid: "",
    });
    await t.store.updateOutbox(cli, { state: "sending", sendid: 18 });
    t.startDriver();
    const row = await t.waitState(id, ["uncertain"]);
    assert(row.error.startsWith("outcome uncertain:"), row.error);
    const next = await t.enqueue({ body: "next" });
    await t.waitState(next, ["sent"]);
    assertEquals(t.sim.sentSms.map((s) => s.text), ["next"]);
    assertEquals((await t.store.outboxItem(cli))?.state, "uncertain");
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.toJid, i.refId, i.body]),
      [["error", USER, "crash", row.error]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound: USSD round trip, answer to the inbox from the own line", async () => {
  const t = await setup({
    sim: { ussdAnswer: "Balance 5.00 EUR", ussdPadding: 3 },
  });
  try {
    const id = await t.enqueue({
      kind: "ussd",
      number: "",
      body: "*100#",
      toJid: OWN_LINE,
      stanzaId: "u1",
    });
    const row = await t.waitState(id, ["sent", "failed"]);
    assertEquals([row.state, row.result], ["sent", "Balance 5.00 EUR"]);
    assertEquals(t.sim.ussdRequests.map((u) => u.code), ["*100#"]);
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.fromJid, i.toJid, i.body]),
      [["chat", OWN_LINE, USER, "[USSD] Balance 5.00 EUR"]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound: USSD error and USSD silence come back as errors", async () => {
  const t = await setup({
    sim: { ussdBehaviour: "error", ussdError: "network_busy" },
    timings: { ussdResendMs: 300, ussdTimeoutMs: 1500 },
  });
  try {
    const ussd = { kind: "ussd" as const, number: "", toJid: OWN_LINE };
    const a = await t.enqueue({ ...ussd, body: "*100#", stanzaId: "e1" });
    const rowA = await t.waitState(a, ["sent", "failed"]);
    assertEquals(rowA.error, "USSD failed: network_busy");
    t.sim.ussdBehaviour = "silent";
    const b = await t.enqueue({ ...ussd, body: "*101#", stanzaId: "e2" });
    const rowB = await t.waitState(b, ["sent", "failed"]);
    assertEquals(
      rowB.error,
      "USSD failed: no answer from the network within 2 s",
    );
    // One resend, same sendid, never more.
    assertEquals(
      t.sim.ussdRequests.filter((u) => u.code === "*101#").length,
      2,
    );
    const inbox = await t.store.pendingInbox(10);
    assertEquals(
      inbox.map((i) => [i.kind, i.refId, i.fromJid]),
      [["error", "e1", OWN_LINE], ["error", "e2", OWN_LINE]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound: a late OK turns an uncertain SMS into sent", async () => {
  // WAIT at once, OK only after the (shortened) overall timeout.
  const t = await setup({
    sim: { okDelayMs: 2500 },
    timings: { totalTimeoutMs: 1000 },
  });
  try {
    const id = await t.enqueue({ stanzaId: "slow" });
    const first = await t.waitState(id, ["uncertain", "sent"]);
    assertEquals(first.state, "uncertain");
    const row = await t.waitState(id, ["sent"]);
    assertEquals(row.smsNo, t.sim.sentSms[0].smsNo);
    assertEquals(t.sim.sentSms.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: a late USSD answer still reaches the user, once", async () => {
  const t = await setup({
    sim: { ussdDelayMs: 1500, ussdAnswer: "Late balance" },
    timings: { ussdResendMs: 300, ussdTimeoutMs: 1000 },
  });
  try {
    const id = await t.enqueue({
      kind: "ussd",
      number: "",
      body: "*100#",
      toJid: OWN_LINE,
      stanzaId: "u9",
    });
    const first = await t.waitState(id, ["failed", "sent"]);
    assertEquals(first.state, "failed");
    const row = await t.waitState(id, ["sent"]);
    assertEquals(row.result, "Late balance");
    // Both requests (first and resend) got an answer; only one is passed on.
    await t.sim.waitFor(
      () => t.logs.some((l) => /ussd for sendid \d+ not in flight/.test(l)),
      5000,
      "the second answer to be dropped",
    );
    const inbox = await t.store.pendingInbox(10);
    assertEquals(inbox.map((i) => [i.kind, i.body]), [
      ["error", "USSD failed: no answer from the network within 1 s"],
      ["chat", "[USSD] Late balance"],
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("outbound: a request that cannot be a datagram fails, nothing sent", async () => {
  const t = await setup();
  try {
    const a = await t.enqueue({ number: "+372 555", stanzaId: "bad1" });
    const b = await t.enqueue({
      kind: "ussd",
      number: "",
      body: "*100#\nSMS 1 1 x 1 evil",
      toJid: OWN_LINE,
      stanzaId: "bad2",
    });
    const rowA = await t.waitState(a, ["failed", "sent"]);
    const rowB = await t.waitState(b, ["failed", "sent"]);
    assertEquals(rowA.error, 'SMS not sent: "+372 555" is not a phone number');
    assertEquals(
      rowB.error,
      'USSD request not sent: "*100#\nSMS 1 1 x 1 evil" is not a USSD code (digits, *, #, +)',
    );
    const ok = await t.enqueue({ body: "fine" });
    await t.waitState(ok, ["sent"]);
    assertEquals(
      t.sim.received.filter((d) => /^(SMS|USSD) /.test(d)).length,
      1,
    );
    assertEquals(
      (await t.store.pendingInbox(10)).map((i) => [i.kind, i.refId]),
      [["error", "bad1"], ["error", "bad2"]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound: reload switches the send form for the next SMS", async () => {
  const t = await setup();
  try {
    await t.waitState(await t.enqueue({ body: "one" }), ["sent"]);
    t.reload({ SMS_SEND_MODE: "msg" });
    await t.waitState(await t.enqueue({ body: "two" }), ["sent"]);
    assertEquals(
      t.sim.sentSms.map((s) => [s.text, s.form]),
      [["one", "sms"], ["two", "session"]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("outbound: CLI items only update their row", async () => {
  const t = await setup();
  try {
    const id = await t.enqueue({ origin: "cli", fromJid: "", toJid: "" });
    const u = await t.enqueue({
      origin: "cli",
      fromJid: "",
      toJid: "",
      kind: "ussd",
      number: "",
      body: "*100#",
    });
    assertEquals((await t.waitState(id, ["sent", "failed"])).state, "sent");
    const row = await t.waitState(u, ["sent", "failed"]);
    assertEquals(row.result, "Your balance is 5.00 EUR");
    assertEquals(await t.store.pendingInbox(10), []);
  } finally {
    await t.close();
  }
});

Deno.test({
  name: "outbound on MariaDB: SMS in both forms, USSD, crash recovery",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  fn: async (tt) => {
    const mariadb = await startMariaDb();
    if (!mariadb) throw new Error(MARIADB_MISSING);
    try {
      await tt.step("one-packet form and USSD", async () => {
        const t = await setup({ mariadb });
        try {
          const id = await t.enqueue();
          const u = await t.enqueue({
            kind: "ussd",
            number: "",
            body: "*100#",
            toJid: OWN_LINE,
          });
          const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
          assertEquals([row.state, row.smsNo], [
            "sent",
            t.sim.sentSms[0].smsNo,
          ]);
          assertEquals(t.sim.sentSms[0].text, "Hello; it's me: ünïcode ✓");
          const ussd = await t.waitState(u, ["sent", "failed"]);
          assertEquals(ussd.result, "Your balance is 5.00 EUR");
          assertEquals(t.sim.violations, []);
        } finally {
          await t.close();
        }
      });
      await tt.step("session form", async () => {
        const t = await setup({ mariadb, config: { SMS_SEND_MODE: "msg" } });
        try {
          const id = await t.enqueue();
          const row = await t.waitState(id, ["sent", "failed", "uncertain"]);
          assertEquals(row.state, "sent");
          assertEquals(t.sim.sentSms.map((s) => s.form), ["session"]);
        } finally {
          await t.close();
        }
      });
      await tt.step("crash recovery", async () => {
        const t = await setup({ mariadb, noDriver: true });
        try {
          const id = await t.enqueue({ stanzaId: "crash" });
          await t.store.updateOutbox(id, { state: "sending", sendid: 3 });
          t.startDriver();
          await t.waitState(id, ["uncertain"]);
          const next = await t.enqueue({ body: "next" });
          await t.waitState(next, ["sent"]);
          assertEquals(t.sim.sentSms.map((s) => s.text), ["next"]);
        } finally {
          await t.close();
        }
      });
    } finally {
      await mariadb.stop();
    }
  },
});

Deno.test("outbound through the daemon: SIGKILL mid-send is uncertain after restart, never resent", async () => {
  const d = await startDaemon({
    gateways: [{ ext: "2001", password: PASSWORD }],
    config: { XMPP_DOMAIN: "example.org" },
  });
  const sim = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: d.udpPort },
    id: GOIP_ID,
    password: PASSWORD,
    num: MSISDN,
    // The module transmits the SMS but the GoIP never answers: the daemon
    // is still waiting when it is killed.
    smsBehaviour: "sent-silent",
  });
  const store = await d.openStore();
  try {
    await sim.keepalive();
    const item = {
      ext: "2001",
      goipId: GOIP_ID,
      kind: "sms" as const,
      number: "+3725551234",
      fromJid: USER,
      toJid: "+3725551234@sms.example.org",
      wantReceipt: false,
      origin: "xmpp" as const,
    };
    const id = await store.enqueueOutbox({
      ...item,
      body: "first",
      stanzaId: "k1",
    });
    await sim.waitForSms(1, 15_000);
    await d.kill();
    assertEquals((await store.outboxItem(id))?.state, "sending");
    sim.smsBehaviour = "ok";
    await d.restart();
    await sim.keepalive();
    const second = await store.enqueueOutbox({
      ...item,
      body: "second",
      stanzaId: "k2",
    });
    const end = Date.now() + 15_000;
    while ((await store.outboxItem(second))?.state !== "sent") {
      if (Date.now() > end) throw new Error(`not sent:\n${d.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const row = await store.outboxItem(id);
    assertEquals(row?.state, "uncertain");
    assert(row.error.startsWith("outcome uncertain:"), row.error);
    assertEquals(texts(sim.sentSms), ["first", "second"]);
    const errors = (await store.pendingInbox(10)).filter((i) =>
      i.kind === "error"
    );
    assertEquals(errors.map((i) => [i.refId, i.toJid]), [["k1", USER]]);
  } finally {
    await store.close();
    await sim.close();
    await d.stop();
  }
});

function texts(sms: { text: string }[]): string[] {
  return sms.map((s) => s.text);
}
