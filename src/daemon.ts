/**
 * The daemon: composition of goippy's parts around one store and one hub.
 * store → inbound handlers → UDP endpoint → outbound sender → XMPP →
 * metrics/retention; SIGTERM/SIGINT stop it gracefully (`daemon_stop.ts`),
 * SIGHUP re-reads the config (`daemon_reload.ts`).
 *
 * @module
 */

import type { Config } from "./config/types.ts";
import { startEndpoint } from "./goip/endpoint.ts";
import { startInbound } from "./inbound/mod.ts";
import {
  OUTBOUND_RECORD,
  replayOutcome,
  type SpooledOutcome,
  startOutbound,
} from "./outbound/mod.ts";
import { Hub } from "./hub.ts";
import type { Logger } from "./log.ts";
import { createGoippyMetrics } from "./metrics/goippy.ts";
import { type OpsParts, startOpsParts } from "./metrics/ops.ts";
import type { XmppState } from "./metrics/goippy.ts";
import { deferredStore } from "./store/deferred.ts";
import { openMigrated, storeUnreachable, waitForStore } from "./store/wait.ts";
import type { Store } from "./store/types.ts";
import { startXmppActiveStandby } from "./xmpp/active_standby.ts";
import { startAlerts } from "./alerts/mod.ts";
import { startHeartbeat } from "./instances/heartbeat.ts";
import { instanceId } from "./instances/liveness.ts";
import { type DaemonLock, lockSqliteForDaemon } from "./store/sqlite_lock.ts";
import { explainUdpBindError } from "./udp_bind.ts";
import { startApiServer } from "./api/server.ts";
import { startWebhooks } from "./api/webhooks.ts";
import { openSpool } from "./spool/open.ts";
import type { SpoolFile } from "./spool/spool_file.ts";
import { ConfigReloader, waitForSignals } from "./daemon_reload.ts";
import { Cleanups, stopGracefully } from "./daemon_stop.ts";

/** Run the daemon until a signal stops it; resolves with the exit code. */
export async function runDaemon(
  config: Config,
  log: Logger,
  opts: { configPath?: string } = {},
): Promise<number> {
  let lock: DaemonLock = { release() {} };
  if (config.DB_BACKEND !== "mysql") {
    try {
      lock = await lockSqliteForDaemon(config.SQLITE_PATH);
    } catch (err) {
      log.error(`cannot start: ${errText(err)}`);
      return 1;
    }
  }
  // The database away at start (MySQL down or unreachable): the UDP side
  // starts on the gateways' snapshot in the spool and spools every event
  // until the store answers; then the rest starts and the spool is replayed.
  let stored: Store | null = null;
  let away: { why: string; spoolFile: SpoolFile | null } | null = null;
  try {
    stored = await openMigrated(config, log);
  } catch (err) {
    const why = `cannot open the ${config.DB_BACKEND} store: ${errText(err)}`;
    const spoolFile = storeUnreachable(config, err)
      ? openSpoolOrNull(config, log)
      : null;
    if (!spoolFile || spoolFile.loadGateways().length === 0) {
      spoolFile?.close();
      lock.release();
      log.error(
        storeUnreachable(config, err)
          ? `${why}; no gateways' snapshot in the spool to start on without it`
          : why,
      );
      return 1;
    }
    away = { why, spoolFile };
  }
  const deferred = deferredStore(config.DB_BACKEND);
  if (stored) deferred.set(stored);
  const cleanups = new Cleanups(log);
  cleanups.push(() => Promise.resolve(lock.release()));
  cleanups.push(() => stored?.close() ?? Promise.resolve());
  const reloader = new ConfigReloader(config, log, opts.configPath);
  const live = reloader.live;
  let udpBound = false;
  try {
    const hub = new Hub();
    const metrics = createGoippyMetrics();
    let send = (_a: string, _t: string) => Promise.resolve();
    const startHooks = () => {
      if (config.WEBHOOKS.length === 0) return;
      const webhooks = startWebhooks({
        store: stored!,
        hub,
        config: live,
        log,
        lease: {
          holder: instanceId(config),
          ttlMs: config.INSTANCE_DEAD_AFTER * 1000,
        },
      });
      cleanups.push(() => webhooks.stop());
    };
    // Before the parts that make events start: none is missed.
    if (!away) startHooks();
    const spoolFile = away ? away.spoolFile : openSpool(config, log);
    const inbound = await startInbound({
      // While the store is away, a stand-in whose calls fail (the events
      // go to the spool) until it is given the store.
      store: stored ?? deferred.store,
      spoolFile,
      storeAway: away !== null,
      hub,
      config: live,
      log,
      metrics,
      send: (a, t) => send(a, t),
      // Outcomes of sends the outbound side spooled (this run or the last).
      replayOther: (p) =>
        replayOutcome(
          { store: deferred.store, hub, log, metrics },
          p as SpooledOutcome,
        ),
    });
    cleanups.push(() => inbound.stop());
    reloader.add(inbound);
    const endpoint = startEndpoint({
      hostname: config.GOIP_UDP_BIND,
      port: config.GOIP_UDP_PORT,
      log,
      onDatagram: (t, a) => inbound.handle(t, a),
      allowSource: (ip) => inbound.admits(ip),
      onDrop: (r) => r === "source" && metrics.authFailures.inc(),
    });
    udpBound = true;
    send = (a, t) => endpoint.send(a, t);
    cleanups.push(() => endpoint.close());
    const reload = () => reloader.reload();
    const stopDaemon = (signal: string) =>
      stopGracefully(signal, log, async () => {
        // Stop taking datagrams; let the ones in flight finish their writes.
        await endpoint.drain();
        await inbound.drain();
        await cleanups.run();
      });
    // /metrics and /health answer from here on, also while the store is
    // awaited at start (then /health says "waiting", with 503).
    let xmppState: () => XmppState = () => "off";
    let waitingFor: string | null = away ? away.why : null;
    const opsPart: OpsParts = await startOpsParts({
      config: live,
      store: deferred.store,
      log,
      metrics,
      lease: {
        holder: instanceId(config),
        ttlMs: config.INSTANCE_DEAD_AFTER * 1000,
      },
      health: {
        udp: () => endpoint.isOpen(),
        xmpp: () => xmppState(),
        spoolDepth: () => inbound.spoolDepth(),
        waitingFor: () => waitingFor,
      },
    });
    reloader.add(opsPart);
    cleanups.push(() => opsPart.stop());
    // Listen for signals before saying "ready": whoever waits for that line
    // may send one at once.
    let signalled: Promise<string> | null = null;
    if (away) {
      signalled = waitForSignals(reload);
      log.info(
        `goippy listening on udp ${endpoint.hostname}:${endpoint.port} (${config.DB_BACKEND}); ` +
          `${away.why}: answering known lines and spooling their events until it answers`,
      );
      const stop = new AbortController();
      signalled.then(() => stop.abort());
      const real = await waitForStore(config, log, stop.signal);
      if (real) {
        deferred.set(real);
        stored = real;
        startHooks();
        await inbound.storeBack();
        waitingFor = null;
        log.info(`the ${real.dialect} store answers: starting the rest`);
      }
    }
    if (signalled && !stored) return await stopDaemon(await signalled);
    const store = stored!;
    // Fresh before the sender claims a row (another instance must never
    // take a claim of this one for a dead instance's), and marked stopped
    // only after the sender has stopped. From now on the CLI's requests
    // are served.
    const heartbeat = await startHeartbeat({ store, config, log });
    cleanups.push(() => heartbeat.stop());
    const outboundPart = startOutbound({
      store,
      hub,
      transport: {
        send: async (addr, text) => {
          await endpoint.send(addr, text);
          metrics.datagramsOut.inc({ type: commandType(text) });
        },
      },
      config: live,
      log,
      metrics,
      spool: spoolFile ? inbound : undefined,
      outcomesWaiting: () => inbound.spooledOfType(OUTBOUND_RECORD),
    });
    reloader.add(outboundPart);
    cleanups.push(() => outboundPart.stop());
    // One daemon of those on this database holds the XMPP connection.
    const lease = {
      holder: heartbeat.id,
      ttlMs: config.INSTANCE_DEAD_AFTER * 1000,
    };
    const xmpp = startXmppActiveStandby(
      { config: live, store, hub, log, metrics },
      lease,
    );
    cleanups.push(() => xmpp.stop());
    xmppState = () => {
      const s = xmpp.state();
      return s === "off" || s === "connected" || s === "standby"
        ? s
        : "disconnected";
    };
    const alerts = startAlerts({ config: live, store, hub, log });
    cleanups.push(() => alerts.stop());
    if (config.API_BIND) {
      const api = await startApiServer(config.API_BIND, {
        store,
        hub,
        config: live,
        log,
        status: { xmpp: () => xmpp.state() },
      });
      cleanups.push(() => api.stop());
    }

    signalled ??= waitForSignals(reload);
    log.info(
      `goippy listening on udp ${endpoint.hostname}:${endpoint.port} (${store.dialect})`,
    );
    return await stopDaemon(await signalled);
  } catch (err) {
    const why = !udpBound && err instanceof Deno.errors.AddrInUse
      ? explainUdpBindError(err, config.GOIP_UDP_BIND, config.GOIP_UDP_PORT)
      : errText(err);
    log.error(`cannot start: ${why}`);
    await cleanups.run();
    return 1;
  }
}

/** The spool for a start without the store, or null (logged) when it cannot be opened. */
function openSpoolOrNull(config: Config, log: Logger): SpoolFile | null {
  try {
    return openSpool(config, log);
  } catch (err) {
    log.error(errText(err));
    return null;
  }
}

/** Metric label of a command sent to a GoIP: its first word, lower case. */
function commandType(text: string): string {
  const word = /^[A-Za-z_]{1,24}/.exec(text)?.[0] ?? "other";
  return word.toLowerCase();
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
