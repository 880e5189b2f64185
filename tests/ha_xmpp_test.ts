/**
 * Two daemons on one MariaDB and one XMPP server (Prosody, then ejabberd):
 * exactly one holds the component connection (the `xmpp` lease); the GoIP
 * talks to the other. SIGKILL the holder in the middle of a stream of
 * incoming SMS: the standby takes the connection over within seconds and
 * every SMS reaches the user. A message delivered twice can only be one the
 * dead holder handed over but had not confirmed (same stanza id); those are
 * counted and printed, with the takeover time.
 */

import assert from "node:assert/strict";
import { type DaemonHandle, startDaemon } from "./support/daemon.ts";
import { startEjabberd } from "./support/ejabberd.ts";
import {
  COMPONENT,
  DOMAIN,
  EXT,
  GOIP_ID,
  GW_PASS,
  LINE_NUM,
  receiveStream,
  SECRET,
  USER_PASS,
} from "./support/fault_rig.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import { waitFor } from "./support/poll.ts";
import { startProsody, type XmppServer } from "./support/prosody.ts";
import { connectUser } from "./support/xmpp_user.ts";

const HELD = /lease xmpp: held by this daemon/;

async function holderKilled(
  server: XmppServer,
  db: NonNullable<Awaited<ReturnType<typeof startMariaDb>>>,
) {
  const daemons: DaemonHandle[] = [];
  const start = async (id: string, gateways: boolean) => {
    const d = await startDaemon({
      dbBackend: "mysql",
      mysql: db,
      config: {
        INSTANCE_ID: id,
        INSTANCE_DEAD_AFTER: 3,
        XMPP_HOST: "127.0.0.1",
        XMPP_PORT: server.componentPort,
        XMPP_DOMAIN: DOMAIN,
        XMPP_COMPONENT_JID: COMPONENT,
        XMPP_COMPONENT_SECRET: SECRET,
      },
      gateways: gateways ? [{ ext: EXT, password: GW_PASS }] : [],
    });
    daemons.push(d);
    return d;
  };
  let sim: GoipSim | null = null;
  const user = await connectUser({
    port: server.c2sPort,
    domain: DOMAIN,
    user: EXT,
    password: USER_PASS,
  });
  try {
    const a = await start("ha-a", true);
    await a.waitForLog(HELD, 20_000);
    await a.waitForLog(/XMPP.*(connected|online)/i, 30_000);
    const b = await start("ha-b", false);
    await new Promise((r) => setTimeout(r, 1000)); // B tried the lease
    assert.doesNotMatch(b.logs(), HELD, "the standby does not connect");

    // The GoIP talks to the standby; its resends cover nothing here.
    sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: b.udpPort },
      id: GOIP_ID,
      password: GW_PASS,
      num: LINE_NUM,
      retransmitMs: 1000,
    });
    assert.equal(await sim.keepalive(), "reg:1;status:200;");
    let acks = 0;
    const stream = receiveStream(sim, 4, 25, () => acks++);
    await waitFor(() => acks >= 30, 30_000, () => `30 acks (have ${acks})`);
    await a.kill();
    const killedAt = Date.now();
    await b.waitForLog(HELD, 20_000);
    const takeoverMs = Date.now() - killedAt;
    const acked = await stream;
    assert.equal([...acked.values()].filter(Boolean).length, 100);

    const chats = () =>
      user.messages.filter((m) =>
        m.attrs.type !== "error" && m.getChildText("body")?.startsWith("s")
      );
    const distinct = () =>
      new Set(chats().map((m) => m.getChildText("body"))).size;
    await waitFor(
      () => distinct() >= 100,
      30_000,
      () => `100 distinct messages (have ${distinct()})`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const ids = new Map<string, Set<string>>();
    let copies = 0;
    for (const m of chats()) {
      const body = m.getChildText("body")!;
      const seen = ids.get(body) ?? new Set<string>();
      if (ids.has(body)) copies++;
      seen.add(m.attrs.id ?? "");
      ids.set(body, seen);
    }
    assert.equal(ids.size, 100, "every SMS delivered");
    for (const [body, set] of ids) {
      assert.equal(set.size, 1, `${body}: a copy is the same stanza again`);
    }
    console.log(
      `  ${server.kind}: takeover ${takeoverMs} ms after SIGKILL ` +
        `(INSTANCE_DEAD_AFTER 3 s); ${copies} redelivered from the ` +
        "unconfirmed window",
    );
  } finally {
    await user.stop();
    await sim?.close();
    for (const d of daemons) await d.stop().catch(() => d.kill());
  }
}

for (const kind of ["prosody", "ejabberd"] as const) {
  Deno.test({
    name:
      `HA ${kind}: the XMPP holder SIGKILLed mid-stream; the standby takes over, every SMS delivered`,
    ignore: !haveMariaDb(),
    async fn() {
      const db = await startMariaDb();
      if (!db) throw new Error(MARIADB_MISSING);
      const opts = {
        domain: DOMAIN,
        componentJid: COMPONENT,
        componentSecret: SECRET,
        users: [{ user: EXT, password: USER_PASS }],
      };
      const server = kind === "prosody"
        ? await startProsody(opts)
        : await startEjabberd(opts);
      if (!server) {
        await db.stop();
        console.log("  ejabberd is not installed: skipped");
        return;
      }
      try {
        await holderKilled(server, db);
      } finally {
        await server.stop();
        await db.stop();
      }
    },
  });
}
