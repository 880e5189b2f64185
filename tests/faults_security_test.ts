/**
 * The security edges, against the real daemon over real UDP (loopback
 * 127.0.0.0/8: every address is usable, so "another host" is 127.0.0.2):
 * events taken on their password from a new address while replies count
 * only from the line's, GOIP_ALLOW_SOURCES, the per-source limit on failed
 * authentications (and its metric), passwords never logged, a config
 * readable by others warned about, and users sending only through their own
 * line and only from XMPP_DOMAIN.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import {
  COMPONENT,
  errorText,
  GW_PASS,
  SECRET,
  startRig,
} from "./support/fault_rig.ts";
import { freeTcpPort } from "./support/ports.ts";
import { waitFor } from "./support/poll.ts";
import { connectUser } from "./support/xmpp_user.ts";

const PW = "pin-Secret-77";

function simAt(port: number, hostname: string, password = PW) {
  return GoipSim.start({
    server: { hostname: "127.0.0.1", port },
    hostname,
    id: "goippy_2001",
    password,
    // Generous: under a parallel test run a reply may take a while.
    retransmitMs: 1500,
    retransmits: 2,
  });
}

Deno.test("security: an event with the password is taken from a new address (NAT rebinding); a reply without one is not", async () => {
  const d = await startDaemon({ gateways: [{ ext: "2001", password: PW }] });
  const a = await simAt(d.udpPort, "127.0.0.1");
  const b = await simAt(d.udpPort, "127.0.0.2");
  a.smsBehaviour = "sent-silent"; // the text arrives, its OK is sent by hand
  const store = await d.openStore();
  try {
    assertEquals(await a.keepalive(), "reg:1;status:200;");
    // Right id and password from another address before any keepalive from
    // it: acknowledged (at once, no resend needed) and stored once.
    const moved = await b.receive("+3725551234", "after a rebinding");
    ok(moved.acked);
    ok((await a.receive("+3725551234", "from a")).acked);
    assertEquals(
      (await store.pendingInbox(10)).map((i) => i.body),
      ["after a rebinding", "from a"],
    );
    await d.waitForLog(/accepted on its password/, 5000);

    // A send in flight on the line (its address is still a's): an OK for it
    // from b changes nothing; the OK from a counts.
    const id = await store.enqueueOutbox({
      ext: "2001",
      goipId: "goippy_2001",
      kind: "sms",
      number: "+3725559999",
      body: "in flight",
      fromJid: "",
      toJid: "",
      stanzaId: "",
      wantReceipt: false,
      origin: "cli",
    });
    await a.waitForSms(1, 10_000);
    const { sendid, telid } = a.sentSms[0];
    await b.sendRaw(`OK ${sendid} ${telid} 111`);
    await a.sendRaw(`OK ${sendid} ${telid} 222`);
    await waitFor(
      async () => (await store.outboxItem(id))?.state === "sent",
      10_000,
      "the SMS sent",
    );
    assertEquals((await store.outboxItem(id))?.smsNo, 222);
    assertEquals(a.sentSms.length, 1);
  } finally {
    await store.close();
    await a.close();
    await b.close();
    await d.stop();
  }
});

Deno.test("security: GOIP_ALLOW_SOURCES drops other sources before parsing", async () => {
  const d = await startDaemon({
    gateways: [{ ext: "2001", password: PW }],
    config: { GOIP_ALLOW_SOURCES: ["127.0.0.2/32"] },
  });
  const outside = await simAt(d.udpPort, "127.0.0.1");
  const inside = await simAt(d.udpPort, "127.0.0.2");
  try {
    const r = await outside.keepaliveTry();
    assertEquals([r.acked, r.reply], [false, undefined]);
    assertEquals(outside.received, [], "not a single byte back");
    assertEquals(await inside.keepalive(), "reg:1;status:200;");
    // Parsed and logged only for the allowed source.
    ok(!d.logs().includes(`udp <- ${outside.addr}: keepalive`));
    assertEquals(
      (d.logs().match(/line goippy_2001 \(ext 2001\) online from/g) ?? [])
        .length,
      1,
    );
  } finally {
    await outside.close();
    await inside.close();
    await d.stop();
  }
});

Deno.test("security: failed authentications are rate-limited per source and counted", async () => {
  const metricsPort = freeTcpPort();
  const d = await startDaemon({
    gateways: [{ ext: "2001", password: PW }],
    config: {
      GOIP_AUTH_FAIL_LIMIT: 5,
      METRICS_BIND: `127.0.0.1:${metricsPort}`,
    },
  });
  const attacker = await simAt(d.udpPort, "127.0.0.3", "guess");
  attacker.retransmits = 0;
  const gateway = await simAt(d.udpPort, "127.0.0.4");
  try {
    const replies: (string | undefined)[] = [];
    for (let i = 0; i < 8; i++) {
      replies.push((await attacker.keepaliveTry()).reply);
    }
    // Five 404s, then silence: the address is ignored.
    assertEquals(replies, [
      "reg:1;status:404;",
      "reg:2;status:404;",
      "reg:3;status:404;",
      "reg:4;status:404;",
      "reg:5;status:404;",
      undefined,
      undefined,
      undefined,
    ]);
    // Another port on the same address is the same source.
    const again = await simAt(d.udpPort, "127.0.0.3");
    const r = await again.keepaliveTry();
    await again.close();
    assertEquals(
      r.reply,
      undefined,
      "right password, but the source is blocked",
    );
    // Other sources are not affected.
    assertEquals(await gateway.keepalive(), "reg:1;status:200;");
    assertEquals(
      (d.logs().match(/127\.0\.0\.3: too many failed authentications/g) ?? [])
        .length,
      1,
      "logged once",
    );
    const metrics =
      await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`))
        .text();
    const m = /^goippy_auth_failures_total(?:\{[^}]*\})? (\d+)/m.exec(metrics);
    // 5 refused + 3 dropped from the attacker, 2 from its second socket (with resend).
    ok(m && Number(m[1]) >= 9, `goippy_auth_failures_total: ${m?.[0]}`);
  } finally {
    await attacker.close();
    await gateway.close();
    await d.stop();
  }
});

Deno.test("security: passwords and secrets never reach the log (debug level, every path)", async () => {
  const rig = await startRig({ config: { LOG_LEVEL: "debug" } });
  try {
    const { sim, daemon } = rig;
    const user = rig.user!;
    await sim.keepalive();
    await sim.receive("+3725551234", "hello");
    // Wrong password on both keys; a SMS out (one-packet form carries the
    // password); USSD (carries it too).
    const wrong = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: daemon.udpPort },
      id: "goippy_2001",
      password: "Wr0ng-Guess-99",
      retransmitMs: 300,
      retransmits: 0,
    });
    await wrong.keepaliveTry();
    await wrong.receive("+1", "x");
    await wrong.close();
    await user.sendMessage(`+3725551234@${COMPONENT}`, "out");
    await sim.waitForSms(1, 15_000);
    await user.sendMessage(`${"+3725550000"}@${COMPONENT}`, "*100#");
    await user.waitForMessage(
      (m) => (m.getChildText("body") ?? "").startsWith("[USSD]"),
      20_000,
    );
    const logs = daemon.logs();
    ok(logs.includes("udp -> "), "debug datagram lines are there");
    for (const secret of [GW_PASS, "Wr0ng-Guess-99", SECRET]) {
      ok(!logs.includes(secret), `${secret} appears in the log`);
    }
  } finally {
    await rig.close();
  }
});

Deno.test("security: a config file readable by group/others is warned about at start", async () => {
  const d = await startDaemon({});
  try {
    ok(!/readable/i.test(d.logs()), "no warning for 0600");
    await Deno.chmod(d.configPath, 0o644);
    await d.restart();
    await d.waitForLog(/readable/i, 5000);
    const line = d.logs().split("\n").find((l) => /readable/i.test(l))!;
    ok(/WARN/.test(line) && line.includes(d.configPath), line);
  } finally {
    await d.stop();
  }
});

Deno.test("security: users send only through their own line, and only from XMPP_DOMAIN", async () => {
  const rig = await startRig({
    more: [{ ext: "2002", password: "pw-2002" }],
    prosodyExtra: 'VirtualHost "evil.example"\n',
  });
  const sim2 = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: rig.daemon.udpPort },
    id: "goippy_2002",
    password: "pw-2002",
    num: "+3725550002",
  });
  try {
    const { sim, prosody } = rig;
    await sim.keepalive();
    await sim2.keepalive();
    // A user with the same local part on another domain of the same server.
    const reg = await new Deno.Command("prosodyctl", {
      args: [
        "--config",
        `${prosody.dir}/prosody.cfg.lua`,
        "register",
        "2001",
        "evil.example",
        "pw",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    ok(reg.success, new TextDecoder().decode(reg.stderr));
    const evil = await connectUser({
      port: prosody.c2sPort,
      domain: "evil.example",
      user: "2001",
      password: "pw",
    });
    // A user of the domain without a gateway.
    await prosody.register("2999", "pw");
    const stranger = await rig.connectUser("2999", "pw");
    const user2 = await rig.connectUser("2002", "pw-2002");
    try {
      const id1 = await evil.sendMessage(`+3725551234@${COMPONENT}`, "evil");
      const e1 = await evil.waitForMessage((m) => m.attrs.id === id1, 15_000);
      assertEquals(e1.attrs.type, "error");
      ok(/example\.org only/.test(errorText(e1)), errorText(e1));
      const ussd = await evil.sendMessage(`+3725550000@${COMPONENT}`, "*100#");
      const e2 = await evil.waitForMessage((m) => m.attrs.id === ussd, 15_000);
      assertEquals(e2.attrs.type, "error");

      const id3 = await stranger.sendMessage(`+3725551234@${COMPONENT}`, "hi");
      const e3 = await stranger.waitForMessage(
        (m) => m.attrs.id === id3,
        15_000,
      );
      assertEquals(e3.attrs.type, "error");
      ok(/no GSM line/.test(errorText(e3)), errorText(e3));

      // 2002 writes to 2001's own-line JID: it is not 2002's line, so it is
      // an SMS to that number through 2002's own gateway — never 2001's.
      await user2.sendMessage(`+3725550000@${COMPONENT}`, "via my own line");
      await sim2.waitForSms(1, 15_000);
      await new Promise((r) => setTimeout(r, 1000));
      assertEquals(sim2.sentSms.map((s) => [s.number, s.text]), [[
        "+3725550000",
        "via my own line",
      ]]);
      assertEquals(sim.sentSms, [], "nothing through 2001's gateway");
      assertEquals(sim.ussdRequests, []);
    } finally {
      await evil.stop();
    }
  } finally {
    await sim2.close();
    await rig.close();
  }
});
