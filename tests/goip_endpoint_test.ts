/**
 * End to end over real UDP: the real daemon process (goippy's own flags) and
 * simulated GoIP channels. Keepalives (200/404), learning the SIM's number,
 * RECEIVE stored before the ack and stored once, garbage ignored, a CLI
 * `--disable` seen by the running daemon. On SQLite and on MariaDB.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import { haveMariaDb, startMariaDb } from "./support/mariadb.ts";
import { freeTcpPort } from "./support/ports.ts";
import type { Store } from "../src/store/types.ts";

const COMPONENT = "sms.example.org";

interface Ctx {
  d: DaemonHandle;
  store: Store;
  sim(
    ext: string,
    password: string,
    extra?: { num?: string; counterStart?: number },
  ): Promise<GoipSim>;
}

async function withDaemon(
  backend: "sqlite" | "mysql",
  fn: (ctx: Ctx, t: Deno.TestContext) => Promise<void>,
  t: Deno.TestContext,
): Promise<void> {
  const maria = backend === "mysql" ? await startMariaDb() : null;
  if (backend === "mysql" && !maria) return;
  const sims: GoipSim[] = [];
  let d: DaemonHandle | null = null;
  let store: Store | null = null;
  try {
    d = await startDaemon({
      dbBackend: backend,
      mysql: maria ?? undefined,
      config: {
        XMPP_COMPONENT_JID: COMPONENT,
        XMPP_COMPONENT_SECRET: "s3cret",
        XMPP_PORT: freeTcpPort(), // nobody listens: XMPP stays down, inbox rows stay
        RECEIVE_DEDUPE_MINUTES: 10,
      },
      gateways: [
        { ext: "2001", password: "pw2001" },
        { ext: "2002", password: "pw2002" },
      ],
    });
    store = await d.openStore();
    const port = d.udpPort;
    await fn({
      d,
      store,
      sim: async (ext, password, extra = {}) => {
        const s = await GoipSim.start({
          server: { hostname: "127.0.0.1", port },
          id: `goippy_${ext}`,
          password,
          retransmitMs: 500,
          ...extra,
        });
        sims.push(s);
        return s;
      },
    }, t);
    assertEquals(await d.stop(), 0, "daemon exit code after SIGTERM");
    d = null;
  } finally {
    for (const s of sims) await s.close();
    await store?.close();
    if (d) await d.stop().catch(() => {});
    await maria?.stop();
  }
}

async function scenarios(ctx: Ctx, t: Deno.TestContext): Promise<void> {
  const { d, store } = ctx;

  await t.step(
    "keepalive with the right password: status 200, number learned",
    async () => {
      const sim = await ctx.sim("2001", "pw2001", { num: "+3725551001" });
      assertEquals(await sim.keepalive(), "reg:1;status:200;");
      const state = await store.lineState("goippy_2001");
      assertEquals(state?.msisdn, "+3725551001");
      assert(state?.addr.startsWith("127.0.0.1:"), `addr ${state?.addr}`);
      assertEquals((await store.gatewayByExt("2001"))?.msisdn, "+3725551001");
    },
  );

  await t.step(
    "keepalive refused with 404: unknown id, wrong password",
    async () => {
      const unknown = await ctx.sim("9999", "x");
      assertEquals(await unknown.keepalive(), "reg:1;status:404;");
      const wrong = await ctx.sim("2002", "not-the-password");
      assertEquals(await wrong.keepalive(), "reg:1;status:404;");
      assertEquals(await store.lineState("goippy_2002"), undefined);
      assertEquals(await store.lineState("goippy_9999"), undefined);
    },
  );

  await t.step(
    "RECEIVE: stored before the ack, raw text intact, negative n",
    async () => {
      const sim = await ctx.sim("2001", "pw2001", {
        counterStart: -1571812849,
      });
      await sim.keepalive();
      const text = "Hello; it's me: 1:2;msg:again\nline two 😀 测试";
      const r = await sim.receive("+3725550001", text);
      assertEquals([r.acked, r.n, r.reply], [
        true,
        -1571812849,
        "RECEIVE -1571812849 OK",
      ]);
      const rows = (await store.pendingInbox(100)).filter((i) =>
        i.body === text
      );
      assertEquals(rows.map((i) => [i.kind, i.fromJid, i.toJid, i.goipId]), [[
        "chat",
        `+3725550001@${COMPONENT}`,
        "2001@example.org",
        "goippy_2001",
      ]]);
    },
  );

  await t.step(
    "RECEIVE retransmitted after a lost ack: acked again, stored once",
    async () => {
      const sim = await ctx.sim("2001", "pw2001");
      await sim.keepalive();
      let lost = 0;
      sim.dropFilter = (dir, text) =>
        dir === "in" && text.startsWith("RECEIVE ") && lost++ === 0;
      const body = `once-${crypto.randomUUID()}`;
      const r = await sim.receive("+3725550002", body, { smscnum: "+372500" });
      assertEquals([r.acked, r.attempts], [true, 2]);
      assertEquals(lost, 2, "first ack lost, second delivered");
      const rows = (await store.pendingInbox(1000)).filter((i) =>
        i.body === body
      );
      assertEquals(rows.length, 1);
    },
  );

  await t.step(
    "RECEIVE with a wrong password: not acked, not stored",
    async () => {
      const sim = await ctx.sim("2001", "wrong");
      sim.retransmits = 1;
      const body = `spoof-${crypto.randomUUID()}`;
      const r = await sim.receive("+3725550003", body);
      assertEquals([r.acked, r.reply], [false, undefined]);
      const rows = (await store.pendingInbox(1000)).filter((i) =>
        i.body === body
      );
      assertEquals(rows.length, 0);
      assert(/refused \(wrong password\)/.test(d.logs()));
    },
  );

  await t.step("garbage is ignored and the daemon still answers", async () => {
    const sim = await ctx.sim("2001", "pw2001");
    const junk: (string | Uint8Array)[] = [
      new Uint8Array(0),
      new Uint8Array([0xff, 0xfe, 0xc3, 0x28]),
      new Uint8Array(65_000).fill(0x52),
      "RECEIVE:99999999999999999999;id:x",
      "START 1 2 3",
      ":::;;;",
      "req:",
    ];
    let seed = 7;
    for (let i = 0; i < 20; i++) {
      const b = new Uint8Array(1 + (i * 37) % 300);
      for (let j = 0; j < b.length; j++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        b[j] = seed & 0xff;
      }
      junk.push(b);
    }
    for (const j of junk) await sim.sendRaw(j);
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    assert(!/uncaught|panic/i.test(d.logs()), d.logs());
  });

  await t.step(
    "CLI --disable is seen by the running daemon within seconds",
    async () => {
      const sim = await ctx.sim("2002", "pw2002");
      assertEquals(await sim.keepalive(), "reg:1;status:200;");
      const r = await d.cli(["--disable", "2002"]);
      assertEquals(r.code, 0, r.stderr);
      let reply = "";
      for (let i = 0; i < 100; i++) {
        reply = await sim.keepalive();
        if (reply.endsWith("status:404;")) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert(reply.endsWith("status:404;"), `last reply ${reply}`);
      const body = `disabled-${crypto.randomUUID()}`;
      sim.retransmits = 0;
      assertEquals((await sim.receive("+3725550004", body)).acked, false);
      assertEquals((await d.cli(["--enable", "2002"])).code, 0);
    },
  );
}

Deno.test({
  name: "GoIP end to end: keepalive, RECEIVE, garbage, --disable [sqlite]",
  fn: (t) => withDaemon("sqlite", scenarios, t),
});

Deno.test({
  name: "GoIP end to end: keepalive, RECEIVE, garbage, --disable [mysql]",
  ignore: !haveMariaDb() && !Deno.env.get("CI"),
  fn: (t) => withDaemon("mysql", scenarios, t),
});
