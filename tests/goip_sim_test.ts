/**
 * The GoIP simulator against a small in-test UDP server on 127.0.0.1: device
 * resends, both SMS forms, every module behaviour, the USSD cache quirk,
 * seeded packet loss, the fleet and the echo floor.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  GoipFleet,
  GoipSim,
  type GoipSimOptions,
} from "./support/goip_sim/mod.ts";
import { startUdpEcho } from "./support/udp_echo.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const WAIT_MS = 5000;

/** A tiny server: records what arrives, answers with `answer` (if any). */
class TestServer {
  readonly got: { text: string; port: number }[] = [];
  readonly #conn: Deno.DatagramConn;
  readonly #loop: Promise<void>;

  constructor(
    public answer: (text: string, copy: number) => string | null = () => null,
  ) {
    this.#conn = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    this.#loop = this.#run();
  }

  get port(): number {
    return (this.#conn.addr as Deno.NetAddr).port;
  }

  /** Texts received so far (optionally only those starting with `prefix`). */
  texts(prefix = ""): string[] {
    return this.got.map((g) => g.text).filter((t) => t.startsWith(prefix));
  }

  async send(text: string, port: number): Promise<void> {
    await this.#conn.send(enc.encode(text), {
      transport: "udp",
      hostname: "127.0.0.1",
      port,
    });
  }

  /** Send a command to the sim and wait until `count` more datagrams came back. */
  async command(text: string, sim: GoipSim, count: number): Promise<string[]> {
    const before = this.got.length;
    await this.send(text, sim.port);
    await sim.waitFor(
      () => this.got.length >= before + count,
      WAIT_MS,
      `${count} answers to ${JSON.stringify(text)}`,
    );
    return this.got.slice(before).map((g) => g.text);
  }

  async close(): Promise<void> {
    this.#conn.close();
    await this.#loop;
  }

  async #run(): Promise<void> {
    try {
      for await (const [bytes, from] of this.#conn) {
        const text = dec.decode(bytes);
        const copy = this.texts().filter((t) => t === text).length + 1;
        this.got.push({ text, port: (from as Deno.NetAddr).port });
        const reply = this.answer(text, copy);
        if (reply !== null) await this.#conn.send(enc.encode(reply), from);
      }
    } catch {
      // closed
    }
  }
}

/** Acks events and keepalives the way goippy should. */
function goodServer(text: string): string | null {
  const ka = /^req:(-?\d+);/.exec(text);
  if (ka) return `reg:${ka[1]};status:200;`;
  const ev = /^([A-Z]+):(-?\d+);/.exec(text);
  return ev ? `${ev[1]} ${ev[2]} OK` : null;
}

async function withSim(
  answer: (text: string, copy: number) => string | null,
  opts: Partial<GoipSimOptions>,
  fn: (sim: GoipSim, srv: TestServer) => Promise<void>,
): Promise<void> {
  const srv = new TestServer(answer);
  const sim = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: srv.port },
    id: "goip-1",
    password: "pw",
    retransmitMs: 40,
    okDelayMs: 5,
    ussdDelayMs: 5,
    ...opts,
  });
  try {
    await fn(sim, srv);
  } finally {
    await sim.close();
    await srv.close();
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("RECEIVE without an ack is resent unchanged 3 times, then given up", async () => {
  await withSim(() => null, {}, async (sim, srv) => {
    const r = await sim.receive("+3725551234", "hi; there: 1", { n: 77 });
    assertEquals({ acked: r.acked, attempts: r.attempts }, {
      acked: false,
      attempts: 4,
    });
    const want =
      "RECEIVE:77;id:goip-1;password:pw;srcnum:+3725551234;msg:hi; there: 1";
    assertEquals(srv.texts(), [want, want, want, want]);
    assertEquals(new Set(srv.got.map((g) => g.port)), new Set([sim.port]));
  });
});

Deno.test("RECEIVE acknowledged at once is sent once", async () => {
  await withSim(goodServer, {}, async (sim, srv) => {
    const r = await sim.receive("+3725551234", "hello");
    assertEquals(r.acked, true);
    assertEquals(r.attempts, 1);
    assertEquals(r.reply, `RECEIVE ${r.n} OK`);
    await delay(200); // several retransmit periods: nothing more may come
    assertEquals(srv.texts("RECEIVE").length, 1);
  });
});

Deno.test("RECEIVE acked on the 2nd copy: 2 attempts; an ERROR reply is not an ack", async () => {
  let mode = "second";
  const answer = (text: string, copy: number) => {
    const m = /^RECEIVE:(-?\d+);/.exec(text);
    if (!m) return null;
    if (mode === "error") return `RECEIVE ${m[1]} ERROR db down`;
    return copy >= 2 ? `RECEIVE ${m[1]} OK` : null;
  };
  await withSim(answer, { counterStart: -20 }, async (sim, srv) => {
    const r = await sim.receive("123", "x");
    assertEquals([r.acked, r.attempts, r.n], [true, 2, -20]);
    assertEquals(srv.texts("RECEIVE").length, 2);
    mode = "error";
    const e = await sim.receive("123", "y");
    assertEquals([e.acked, e.attempts, e.reply], [
      false,
      1,
      "RECEIVE -19 ERROR db down",
    ]);
  });
});

Deno.test("keepalive returns the reply; no reply throws after 4 attempts", async () => {
  let on = true;
  await withSim((t) => on ? goodServer(t) : null, {
    num: "+37255512345",
  }, async (sim, srv) => {
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    assertEquals(await sim.keepalive({ signal: 99 }), "reg:2;status:200;");
    const sent = srv.texts("req:");
    assertEquals(sent[0].includes(";num:+37255512345;signal:25;"), true);
    assertEquals(sent[1].includes(";signal:99;gsm_status:LOGIN;"), true);
    on = false;
    let error = "";
    await sim.keepalive().catch((e) => error = String(e));
    assertEquals(error.includes("no reply to keepalive req:3 after 4"), true);
    assertEquals(srv.texts("req:3;").length, 4);
  });
});

Deno.test("startKeepalives sends periodically and counts replies until stopped", async () => {
  await withSim(goodServer, {}, async (sim, srv) => {
    sim.startKeepalives(20);
    await sim.waitFor(() => sim.keepaliveReplies.length >= 3, WAIT_MS);
    sim.stopKeepalives();
    const sent = srv.texts("req:").length;
    await delay(100);
    assertEquals(srv.texts("req:").length, sent);
    assertEquals(sim.keepaliveReplies.slice(0, 2), [
      "reg:1;status:200;",
      "reg:2;status:200;",
    ]);
  });
});

Deno.test("events are formatted like a device and acked", async () => {
  await withSim(goodServer, { counterStart: 100 }, async (sim, srv) => {
    assertEquals((await sim.deliver(32, 0, "+372555")).acked, true);
    assertEquals((await sim.record(1, "+372555")).acked, true);
    assertEquals((await sim.hangup("+372555", "User busy")).acked, true);
    assertEquals((await sim.ussn("Bonus: 1; ok")).acked, true);
    assertEquals(
      (await sim.event("REMAIN", { gsm_remain_time: -1 })).acked,
      true,
    );
    assertEquals(srv.texts(), [
      "DELIVER:100;id:goip-1;password:pw;sms_no:32;state:0;num:+372555",
      "RECORD:101;id:goip-1;password:pw;dir:1;num:+372555",
      "HANGUP:102;id:goip-1;password:pw;num:+372555,cause:User busy",
      "USSN:103;id:goip-1;password:pw;msg:Bonus: 1; ok",
      "REMAIN:104;id:goip-1;password:pw;gsm_remain_time:-1",
    ]);
  });
});

Deno.test("one-packet SMS: transmitted and reported with sms_no; wrong password refused", async () => {
  await withSim(() => null, { smsNoStart: 40 }, async (sim, srv) => {
    const ok = await srv.command(
      "SMS 7 1 pw +3725551234 Tere, maailm!",
      sim,
      2,
    );
    assertEquals(ok, ["WAIT 7 1", "OK 7 1 40"]);
    assertEquals(
      sim.sentSms.map(({ sendid, telid, number, text, form }) => ({
        sendid,
        telid,
        number,
        text,
        form,
      })),
      [{
        sendid: 7,
        telid: 1,
        number: "+3725551234",
        text: "Tere, maailm!",
        form: "sms",
      }],
    );
    const bad = await srv.command("SMS 8 1 nope +3725551234 x", sim, 1);
    assertEquals(bad, ["ERROR 8 PASSWORD"]);
    assertEquals(sim.sentSms.length, 1);
    assertEquals(sim.smsNo, 41);
    assertEquals(sim.violations, []);
  });
});

Deno.test("session form: MSG → PASSWORD → SEND → WAIT/OK → DONE, two recipients", async () => {
  await withSim(() => null, {}, async (sim, srv) => {
    const text = "Hüvasti 🙂";
    const len = enc.encode(text).length;
    assertEquals(await srv.command(`MSG 3 ${len} ${text}\n`, sim, 1), [
      "PASSWORD 3",
    ]);
    assertEquals(await srv.command("PASSWORD 3 pw\n", sim, 1), ["SEND 3"]);
    assertEquals(await srv.command("SEND 3 11 +3725550001\n", sim, 2), [
      "WAIT 3 11",
      "OK 3 11 1",
    ]);
    assertEquals(await srv.command("SEND 3 12 +3725550002\n", sim, 2), [
      "WAIT 3 12",
      "OK 3 12 2",
    ]);
    assertEquals(await srv.command("DONE 3\n", sim, 1), ["DONE 3"]);
    assertEquals(sim.sentSms.map((s) => [s.number, s.text, s.form]), [
      ["+3725550001", text, "session"],
      ["+3725550002", text, "session"],
    ]);
    // The session is gone after DONE; a wrong password ends a new one.
    assertEquals(await srv.command("SEND 3 13 +3725550003\n", sim, 1), [
      "ERROR 3 SENDID",
    ]);
    await srv.command("MSG 4 1 x\n", sim, 1);
    assertEquals(await srv.command("PASSWORD 4 nope\n", sim, 1), [
      "ERROR 4 PASSWORD",
    ]);
    assertEquals(sim.sentSms.length, 2);
    assertEquals(sim.violations, ["SEND 3 without an open session"]);
  });
});

Deno.test("MSG whose length is not the UTF-8 byte length is a violation", async () => {
  await withSim(() => null, {}, async (sim, srv) => {
    await srv.command("MSG 5 5 Hüva\n", sim, 1); // H ü(2 bytes) v a = 5
    assertEquals(sim.violations, []);
    await srv.command("MSG 6 4 Hüva\n", sim, 1); // counted characters
    assertEquals(sim.violations, ["MSG 6 says 4 bytes but the text has 5"]);
  });
});

Deno.test("session limits: at most maxSessions open, forgotten after silence", async () => {
  await withSim(() => null, {
    maxSessions: 2,
    sessionTimeoutMs: 100,
  }, async (sim, srv) => {
    assertEquals(await srv.command("MSG 1 1 a\n", sim, 1), ["PASSWORD 1"]);
    assertEquals(await srv.command("MSG 2 1 b\n", sim, 1), ["PASSWORD 2"]);
    assertEquals(await srv.command("MSG 3 1 c\n", sim, 1), [
      "ERROR 3 too_many_sends_in_server",
    ]);
    await delay(250); // longer than sessionTimeoutMs: both sessions dropped
    assertEquals(await srv.command("PASSWORD 1 pw\n", sim, 1), [
      "ERROR 1 SENDID",
    ]);
    assertEquals(await srv.command("MSG 3 1 c\n", sim, 1), ["PASSWORD 3"]);
  });
});

Deno.test("SMS behaviours: what the server hears and what the module sends", async () => {
  const cases = [
    { b: "ok", answers: ["WAIT 1 1", "OK 1 1 1"], sent: 1 },
    { b: "no-sms-no", answers: ["WAIT 1 1", "OK 1 1"], sent: 1 },
    {
      b: "wait-long",
      answers: ["WAIT 1 1", "WAIT 1 1", "WAIT 1 1", "OK 1 1 1"],
      sent: 1,
    },
    { b: "error", answers: ["WAIT 1 1", "ERROR 1 1 errorstatus:1"], sent: 0 },
    { b: "gsm-logout", answers: ["ERROR 1 GSM_LOGOUT"], sent: 0 },
    { b: "busy", answers: ["ERROR 1 too_many_sends_in_server"], sent: 0 },
    { b: "sendid-error", answers: ["ERROR 1 SENDID"], sent: 0 },
    { b: "silent", answers: [], sent: 0 },
    { b: "sent-silent", answers: [], sent: 1 },
  ] as const;
  for (const c of cases) {
    await withSim(() => null, {
      smsBehaviour: c.b,
      waitIntervalMs: 5,
    }, async (sim, srv) => {
      const got = await srv.command(
        "SMS 1 1 pw +3725551234 hi",
        sim,
        c.answers.length,
      );
      await delay(60); // nothing further may come
      assertEquals(srv.texts(), [...c.answers], c.b);
      assertEquals(got, [...c.answers], c.b);
      assertEquals(sim.sentSms.length, c.sent, c.b);
    });
  }
});

Deno.test("behaviour can change at any time and be chosen per datagram", async () => {
  await withSim(() => null, {}, async (sim, srv) => {
    sim.smsBehaviour = "gsm-logout";
    assertEquals(await srv.command("SMS 1 1 pw +372555 a", sim, 1), [
      "ERROR 1 GSM_LOGOUT",
    ]);
    // Silent to the first copy, answering the resend (a lost first datagram).
    sim.smsBehaviour = (s) => s.count === 1 ? "silent" : "ok";
    await srv.send("SMS 2 1 pw +372555 b", sim.port);
    await delay(60);
    assertEquals(sim.sentSms.length, 0);
    assertEquals(await srv.command("SMS 2 1 pw +372555 b", sim, 2), [
      "WAIT 2 1",
      "OK 2 1 1",
    ]);
    assertEquals(sim.sentSms.map((s) => s.text), ["b"]);
  });
});

Deno.test("a resent SMS after WAIT is a second SMS, and a violation", async () => {
  await withSim(() => null, { okDelayMs: 100 }, async (sim, srv) => {
    await srv.command("SMS 9 1 pw +372555 twice", sim, 1); // WAIT
    await srv.command("SMS 9 1 pw +372555 twice", sim, 1);
    await sim.waitFor(() => srv.texts("OK 9 1").length === 2, WAIT_MS);
    assertEquals(sim.sentSms.map((s) => [s.sendid, s.text, s.smsNo]), [
      [9, "twice", 1],
      [9, "twice", 2],
    ]);
    assertEquals(sim.violations, ["SMS 9 1 resent after WAIT"]);
  });
});

Deno.test("a second SMS before the first one's answer is a violation", async () => {
  await withSim(() => null, { okDelayMs: 100 }, async (sim, srv) => {
    await srv.command("SMS 1 1 pw +372555 a", sim, 1); // WAIT
    await srv.command("SMS 2 1 pw +372555 b", sim, 1); // WAIT
    await sim.waitFor(() => srv.texts("OK ").length === 2, WAIT_MS);
    assertEquals(sim.violations, [
      "SMS 2 1 while 1 1 is still being sent (sends must be serialized per line)",
    ]);
    await srv.command("SMS 3 1 pw +372555 c", sim, 2); // after both OKs
    assertEquals(sim.violations.length, 1);
    assertEquals(sim.sentSms.map((s) => s.text), ["a", "b", "c"]);
  });
});

Deno.test("dropFilter loses chosen datagrams: the OK is lost, the SMS was sent", async () => {
  await withSim(() => null, {}, async (sim, srv) => {
    let lost = 0;
    sim.dropFilter = (dir, text) =>
      dir === "out" && text.startsWith("OK ") && lost++ === 0;
    await srv.command("SMS 4 1 pw +372555 x", sim, 1);
    await sim.waitFor(() => sim.droppedOut === 1, WAIT_MS, "the lost OK");
    assertEquals(srv.texts(), ["WAIT 4 1"]);
    assertEquals(sim.sentSms.length, 1);
    sim.dropFilter = (dir, text) => dir === "in" && text.startsWith("USSD");
    await srv.send("USSD 5 pw *100#", sim.port);
    await sim.waitFor(() => sim.droppedIn === 1, WAIT_MS, "the lost USSD");
    assertEquals(sim.ussdRequests, []);
  });
});

Deno.test("sms_no wraps like a device", async () => {
  await withSim(
    () => null,
    { smsNoStart: 254, smsNoMax: 255 },
    async (sim, srv) => {
      for (let sid = 1; sid <= 3; sid++) {
        await srv.command(`SMS ${sid} 1 pw +372555 t`, sim, 2);
      }
      assertEquals(sim.sentSms.map((s) => s.smsNo), [254, 255, 0]);
    },
  );
});

Deno.test("USSD: answer with padding, cache quirk for old sendids, errors", async () => {
  await withSim(() => null, {
    ussdAnswer: (code) => `Balance for ${code}: 5 EUR`,
    ussdPadding: 3,
  }, async (sim, srv) => {
    assertEquals(await srv.command("USSD 10 pw *100#", sim, 1), [
      "USSD 10 Balance for *100#: 5 EUR@@@",
    ]);
    // The device answers any sendid <= the cached one with the cached text.
    assertEquals(await srv.command("USSD 10 pw *101#", sim, 1), [
      "USSD 10 Balance for *100#: 5 EUR@@@",
    ]);
    assertEquals(await srv.command("USSD 4 pw *102#", sim, 1), [
      "USSD 4 Balance for *100#: 5 EUR@@@",
    ]);
    assertEquals(sim.ussdRequests.map((r) => [r.sendid, r.code, r.cached]), [
      [10, "*100#", false],
      [10, "*101#", true],
      [4, "*102#", true],
    ]);
    sim.ussdBehaviour = "error";
    assertEquals(await srv.command("USSD 11 pw *100#", sim, 1), [
      "USSDERROR 11 network",
    ]);
    sim.ussdBehaviour = "send-failed";
    assertEquals(await srv.command("USSD 12 pw *100#", sim, 1), [
      "USSD 12 USSD send failed!",
    ]);
    sim.ussdBehaviour = "gsm-logout";
    assertEquals(await srv.command("USSD 13 pw *100#", sim, 1), [
      "ERROR 13 GSM_LOGOUT",
    ]);
    assertEquals(await srv.command("USSD 14 nope *100#", sim, 1), [
      "ERROR 14 PASSWORD",
    ]);
    assertEquals(await srv.command("USSDEXIT 15 pw", sim, 1), ["USSDEXIT 15"]);
    sim.ussdBehaviour = "silent";
    await srv.send("USSD 16 pw *100#", sim.port);
    await sim.waitFor(() => sim.ussdRequests.length === 8, WAIT_MS);
    await delay(60);
    assertEquals(srv.texts("USSD 16").length, 0);
    assertEquals(sim.violations, []);
  });
});

Deno.test("USSD code with a trailing newline is a violation", async () => {
  await withSim(() => null, {}, async (sim, srv) => {
    await srv.command("USSD 1 pw *100#\n", sim, 1);
    assertEquals(sim.ussdRequests[0].code, "*100#\n");
    assertEquals(sim.violations, ["USSD 1 code contains a newline"]);
  });
});

Deno.test("control commands are answered plausibly, password checked", async () => {
  await withSim(
    () => null,
    { num: "+372500", imei: "861111111111111" },
    async (sim, srv) => {
      const cases: [string, string][] = [
        ["get_gsm_num 1 pw", "get_gsm_num 1 +372500"],
        ["set_gsm_num 2 +372600 pw", "set_gsm_num 2 +372600 ok"],
        ["get_gsm_num 3 pw", "get_gsm_num 3 +372600"],
        ["get_gsm_state 4 pw", "get_gsm_state 4 IDLE"],
        ["get_remain_time 5 pw", "get_remain_time 5 -1"],
        ["get_imei 6 pw", "get_imei 6 861111111111111"],
        ["svr_reboot_module 7 pw", "svr_reboot_module 7 ok"],
        ["get_gsm_num 8 nope", "ERROR 8 PASSWORD"],
      ];
      for (const [cmd, want] of cases) {
        assertEquals(await srv.command(cmd, sim, 1), [want], cmd);
      }
      assertEquals(sim.controlRequests.length, cases.length);
      assertEquals(
        (await srv.command("GSM 9 pw", sim, 1))[0].startsWith(
          "GSM:9;get_gsm_num:+372600;",
        ),
        true,
      );
    },
  );
});

Deno.test("seeded packet loss drops the same datagrams for the same seed", async () => {
  const run = async (seed: number) => {
    let result: { out: number; in: number; acks: string[] } | null = null;
    await withSim(goodServer, {
      dropRate: 0.3,
      seed,
      retransmits: 6,
      retransmitMs: 20,
      counterStart: 1,
    }, async (sim, srv) => {
      const attempts: number[] = [];
      for (let i = 0; i < 20; i++) {
        attempts.push((await sim.receive("+372555", `m${i}`)).attempts);
      }
      result = {
        out: sim.droppedOut,
        in: sim.droppedIn,
        acks: [
          ...srv.texts("RECEIVE").map((t) => t.slice(0, 12)),
          ...attempts.map(String),
        ],
      };
    });
    return result!;
  };
  const a = await run(7);
  const b = await run(7);
  const c = await run(8);
  assertEquals(a, b);
  assertEquals(a.out + a.in > 0, true, "a 30% loss rate lost nothing");
  assertEquals(JSON.stringify(a) === JSON.stringify(c), false);
});

Deno.test("close() stops keepalives, resends and replies in flight", async () => {
  const srv = new TestServer(() => null);
  const sim = await GoipSim.start({
    server: { hostname: "127.0.0.1", port: srv.port },
    id: "goip-9",
    password: "pw",
    retransmitMs: 10_000,
    okDelayMs: 10_000,
  });
  sim.startKeepalives(10_000);
  await srv.send("SMS 1 1 pw +372555 late", sim.port);
  await sim.waitForSms(1, WAIT_MS);
  const pending = sim.receive("+372555", "never acked");
  // keepalive + its reply wait, the module's OK, the RECEIVE resend wait
  assertEquals(sim.pendingTimers >= 3, true);
  await sim.close();
  assertEquals((await pending).acked, false);
  assertEquals(sim.pendingTimers, 0);
  await sim.close(); // twice is fine
  await srv.close();
  // The socket is really closed: its port can be bound again.
  const again = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: sim.port,
  });
  again.close();
});

Deno.test("fleet: keepalives from many channels through shared sockets", async () => {
  const srv = new TestServer((t) => {
    const m = /^req:(\d+);id:goip(\d+);/.exec(t);
    if (!m) return null;
    return `reg:${m[1]};status:${Number(m[2]) % 10 === 0 ? 404 : 200};`;
  });
  const fleet = await GoipFleet.start({
    server: { hostname: "127.0.0.1", port: srv.port },
    channels: 300,
    sockets: 3,
    intervalMs: 200,
  });
  try {
    const s = await fleet.keepaliveAll(WAIT_MS);
    assertEquals([s.sent, s.replies, s.ok, s.refused, s.lost, s.pending], [
      300,
      300,
      270,
      30,
      0,
      0,
    ]);
    assertEquals(new Set(srv.got.map((g) => g.port)).size, 3);
    assertEquals(new Set(srv.texts().map((t) => t.split(";")[1])).size, 300);
    assertEquals(s.p50Ms !== null && s.p50Ms <= s.maxMs!, true);
    fleet.resetStats();
    fleet.startKeepalives();
    const waitSent = async () => {
      const end = Date.now() + WAIT_MS;
      while (fleet.stats().replies < 600 && Date.now() < end) await delay(10);
    };
    await waitSent();
    fleet.stopKeepalives();
    assertEquals(fleet.stats().replies >= 600, true);
  } finally {
    await fleet.close();
    await srv.close();
  }
});

Deno.test("udp echo server sends every datagram back to its sender", async () => {
  const echo = await startUdpEcho();
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    const to = {
      transport: "udp" as const,
      hostname: "127.0.0.1",
      port: echo.port,
    };
    for (const word of ["one", "two", "kolm ü"]) {
      await conn.send(enc.encode(word), to);
      const [bytes, from] = await conn.receive();
      assertEquals(dec.decode(bytes), word);
      assertEquals((from as Deno.NetAddr).port, echo.port);
    }
    assertEquals(echo.count, 3);
  } finally {
    conn.close();
    await echo.stop();
  }
});

Deno.test("fleet against the echo server counts the echoed keepalives (the floor)", async () => {
  const echo = await startUdpEcho();
  const fleet = await GoipFleet.start({
    server: { hostname: "127.0.0.1", port: echo.port },
    channels: 500,
    sockets: 2,
  });
  try {
    const s = await fleet.keepaliveAll(WAIT_MS);
    assertEquals([s.sent, s.replies, s.ok, s.lost], [500, 500, 500, 0]);
    assertEquals(echo.count, 500);
  } finally {
    await fleet.close();
    await echo.stop();
  }
});
