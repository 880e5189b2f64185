/**
 * The world of the outbound sender tests: a real store (SQLite in a temp dir,
 * or a fresh database in a test MariaDB), the daemon's real UDP endpoint with
 * the little packet handling the sender needs, a simulated GoIP channel and
 * the outbound driver with shortened timings.
 *
 * @module
 */

import { defaultConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { parseDatagram } from "../../src/goip/parse.ts";
import { type Endpoint, startEndpoint } from "../../src/goip/endpoint.ts";
import { formatKeepaliveReply } from "../../src/goip/format.ts";
import {
  type Outbound,
  type OutboundDeps,
  startOutbound,
} from "../../src/outbound/mod.ts";
import { Hub } from "../../src/hub.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { openStore } from "../../src/store/open.ts";
import type {
  NewOutboxItem,
  OutboxItem,
  Store,
} from "../../src/store/types.ts";
import { GoipSim, type GoipSimOptions } from "./goip_sim/mod.ts";
import { waitFor } from "./poll.ts";
import type { MariaDb } from "./mariadb.ts";

export const PASSWORD = "s3cret-pw";
export const GOIP_ID = "goippy_2001";
export const MSISDN = "+37255500001";
export const USER = "2001@example.org";
export const OWN_LINE = `${MSISDN}@sms.example.org`;

/** The instance id of the test world's driver, owner of the lines it answers. */
export const WORLD_INSTANCE = "world:1";

/**
 * The daemon's UDP endpoint with the little packet handling the sender
 * needs: authenticated keepalives learned into the store (and answered),
 * command replies put on the hub.
 */
export function testEndpoint(store: Store, hub: Hub, log: Logger): Endpoint {
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
        owner: WORLD_INSTANCE,
      };
      await store.saveLineState(state);
      await endpoint.send(addr, formatKeepaliveReply(p.n, 200));
      hub.emit("line", { state, cameOnline: true });
    },
  });
  return endpoint;
}

/** Options of {@linkcode startOutboundWorld}. */
export interface OutboundWorldOptions {
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
export async function startOutboundWorld(opts: OutboundWorldOptions = {}) {
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
  let live = config;
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
      config: () => live,
      log,
      instanceId: WORLD_INSTANCE,
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
    let row: OutboxItem | undefined;
    await waitFor(
      async () => {
        row = await store.outboxItem(id);
        // Final failures are complete once their human text is written too.
        const complete = row && (row.error !== "" ||
          ["sent", "delivered", "queued", "sending"].includes(row.state));
        return !!row && !!complete && states.includes(row.state);
      },
      timeoutMs,
      () => `row ${id} in ${states}; it is ${row?.state} (${row?.error})`,
      20,
    );
    return row!;
  };
  const close = async () => {
    if (driver) await (driver as Outbound).stop();
    await sim.close();
    await endpoint.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  };
  /** What a SIGHUP does: a new config in force, then the driver told. */
  const reload = (change: Partial<Config>) => {
    live = { ...live, ...change };
    (driver as Outbound | null)?.reload();
  };
  return {
    store,
    hub,
    sim,
    /** The daemon's UDP port (for more simulated lines). */
    port: endpoint.port,
    reload,
    logs,
    config,
    enqueue,
    waitState,
    startDriver,
    close,
  };
}

/** What {@linkcode startOutboundWorld} gives a test. */
export type OutboundWorld = Awaited<ReturnType<typeof startOutboundWorld>>;

/** The texts of transmitted SMS, in order. */
export function texts(sms: { text: string }[]): string[] {
  return sms.map((s) => s.text);
}
