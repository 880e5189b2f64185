/**
 * The alerts against a real store (SQLite and MariaDB) with a clock that
 * moves only when told: the stuck-queue alert for an online line, never for
 * an offline one, once per stuck item; line alerts held back while the line
 * flaps; a kind turned off stays quiet. What the admins get is what the
 * inbox holds for them.
 */

import assert from "node:assert/strict";
import { storeContract, type StoreCtx } from "./support/store_backend.ts";
import { waitFor } from "./support/poll.ts";
import { startAlerts } from "../src/alerts/mod.ts";
import { defaultConfig } from "../src/config/defaults.ts";
import type { Config } from "../src/config/types.ts";
import { Hub } from "../src/hub.ts";
import { createLogger } from "../src/log.ts";
import type { LineState } from "../src/store/types.ts";

const ADMIN = "admin@example.org";

function config(over: Partial<Config> = {}): Config {
  return {
    ...defaultConfig(),
    XMPP_COMPONENT_JID: "sms.example.org",
    XMPP_DOMAIN: "example.org",
    ADMIN_JIDS: [ADMIN],
    ALERT_LINE_AFTER: 120,
    ALERT_STUCK_MINUTES: 15,
    ...over,
  };
}

function line(lastSeenMs: number): LineState {
  return {
    goipId: "goippy_2001",
    ext: "2001",
    msisdn: "3725550000",
    addr: "127.0.0.1:9",
    lastSeenMs,
    signal: 3,
    gsmStatus: "LOGOUT",
    voipStatus: "",
    voipState: "",
    remainTime: null,
    provider: "EMT",
    disableStatus: null,
    imei: "",
    imsi: "",
    iccid: "",
  };
}

/** Run `fn` with alerts started on the case's store and clock. */
async function withAlerts(
  ctx: StoreCtx,
  cfg: Config,
  fn: (hub: Hub, texts: () => Promise<string[]>) => Promise<void>,
): Promise<void> {
  const hub = new Hub();
  const alerts = startAlerts({
    config: () => cfg,
    store: ctx.store,
    hub,
    log: createLogger({ level: "error", journald: false, write: () => {} }),
    now: () => ctx.clock.now(),
    tickMs: 20,
    stuckEveryMs: 0,
  });
  const texts = async () =>
    (await ctx.store.pendingInbox(100))
      .filter((i) => i.toJid === ADMIN && i.fromJid === "sms.example.org")
      .map((i) => i.body);
  try {
    await fn(hub, texts);
  } finally {
    await alerts.stop();
  }
}

/** Let the alert ticks run a few times. */
const ticks = () => new Promise((r) => setTimeout(r, 200));

async function queueOne(ctx: StoreCtx): Promise<number> {
  return await ctx.store.enqueueOutbox({
    ext: "2001",
    goipId: "goippy_2001",
    kind: "sms",
    number: "+3725551234",
    body: "hi",
    fromJid: "2001@example.org/p",
    toJid: "+3725551234@sms.example.org",
    stanzaId: "s1",
    wantReceipt: false,
    origin: "xmpp",
  });
}

storeContract("alerts", [
  {
    name: "stuck: the oldest item of an online line, once, with its last error",
    async fn(ctx) {
      const id = await queueOne(ctx);
      await ctx.store.updateOutbox(id, {
        error: "SMS not sent: the GSM network refused it: network out of " +
          "order (errorstatus:38)",
      });
      await withAlerts(ctx, config(), async (_hub, texts) => {
        ctx.clock.advance(16 * 60_000);
        // offline line: a queue waiting for it is not stuck
        await ctx.store.saveLineState(line(0));
        await ticks();
        assert.deepEqual(await texts(), []);
        await ctx.store.saveLineState(line(ctx.clock.now()));
        await waitFor(async () => (await texts()).length > 0, 5000, "alert");
        await ticks();
        const got = await texts();
        assert.equal(got.length, 1, got.join("\n"));
        assert.match(
          got[0],
          /line 2001 \(goippy_2001\) is online but its queue is stuck/,
        );
        assert.match(got[0], /#\d+, SMS to \+3725551234\) has waited 16 min/);
        assert.match(got[0], /network out of order \(errorstatus:38\)/);
      });
    },
  },
  {
    name:
      "line: flapping is quiet; offline past the hold alerts once, then back",
    async fn(ctx) {
      await ctx.store.saveLineState(line(ctx.clock.now()));
      await withAlerts(ctx, config(), async (hub, texts) => {
        const flap = line(ctx.clock.now());
        for (let i = 0; i < 3; i++) {
          hub.emit("lineOffline", { goipId: "goippy_2001", ext: "2001" });
          ctx.clock.advance(60_000);
          await ticks();
          hub.emit("line", { state: flap, cameOnline: true });
        }
        await ticks();
        assert.deepEqual(await texts(), []);
        hub.emit("lineOffline", { goipId: "goippy_2001", ext: "2001" });
        ctx.clock.advance(121_000);
        await waitFor(
          async () => (await texts()).length === 1,
          5000,
          "offline",
        );
        assert.match(
          (await texts())[0],
          /line 2001 \(goippy_2001\) is offline: no keepalive since .* it last reported GSM LOGOUT, signal 3, EMT/,
        );
        ctx.clock.advance(60_000);
        hub.emit("line", { state: flap, cameOnline: true });
        await waitFor(async () => (await texts()).length === 2, 5000, "back");
        assert.match((await texts())[1], /back online after 3 min offline/);
      });
    },
  },
  {
    name: "kinds turned off, or no admins: nothing",
    async fn(ctx) {
      await queueOne(ctx);
      for (const cfg of [config({ ALERTS: [] }), config({ ADMIN_JIDS: [] })]) {
        await withAlerts(ctx, cfg, async (hub, texts) => {
          ctx.clock.advance(20 * 60_000);
          await ctx.store.saveLineState(line(ctx.clock.now()));
          hub.emit("lineOffline", { goipId: "goippy_2001", ext: "2001" });
          ctx.clock.advance(200_000);
          hub.emit("authBlocked", { ip: "10.0.0.9", why: "x", blockS: 60 });
          await ticks();
          assert.deepEqual(await texts(), []);
        });
      }
    },
  },
]);
