/**
 * The daemon: composition of goippy's parts around one store and one hub.
 * store → inbound handlers → UDP endpoint → outbound sender → XMPP →
 * metrics/retention; SIGTERM/SIGINT stop it gracefully, SIGHUP re-reads the
 * config.
 *
 * @module
 */

import type { Config } from "./config/types.ts";
import { changedKeys } from "./config/diff.ts";
import { applyLive, LIVE_KEYS } from "./config/live.ts";
import { loadConfig } from "./config/load.ts";
import { startEndpoint } from "./goip/endpoint.ts";
import { startInbound } from "./inbound/mod.ts";
import { startOutbound } from "./outbound/mod.ts";
import { Hub } from "./hub.ts";
import type { Logger } from "./log.ts";
import { createGoippyMetrics } from "./metrics/goippy.ts";
import { startOpsParts } from "./metrics/ops.ts";
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

/** How long a graceful stop may take before goippy exits anyway. */
const STOP_LIMIT_MS = 4000;

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
  const cleanups: (() => Promise<void>)[] = [
    () => Promise.resolve(lock.release()),
    () => stored?.close() ?? Promise.resolve(),
  ];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) {
      await c().catch((e) => log.warn(`stopping: ${errText(e)}`));
    }
  };
  let current = config;
  const live = () => current;
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
    const inbound = await startInbound({
      // While the store is away, a stand-in whose calls fail (the events
      // go to the spool) until it is given the store.
      store: stored ?? deferred.store,
      spoolFile: away ? away.spoolFile : openSpool(config, log),
      storeAway: away !== null,
      hub,
      config: live,
      log,
      metrics,
      send: (a, t) => send(a, t),
    });
    cleanups.push(() => inbound.stop());
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
    let outbound: { reload(): void } | null = null;
    let ops: { reload(): Promise<void> } | null = null;
    const reload = async () => {
      if (!opts.configPath) {
        log.warn("reload: no config file to re-read (built-in defaults)");
        return;
      }
      try {
        const { config: next } = await loadConfig({ path: opts.configPath });
        const changed = changedKeys(current, next);
        current = applyLive(current, next);
        log.level = current.LOG_LEVEL;
        inbound.reload();
        outbound?.reload();
        await ops?.reload();
        const later = changed.filter((k) => !LIVE_KEYS.has(k));
        log.info(
          `reloaded ${opts.configPath}: ${
            changed.length ? `changed ${changed.join(", ")}` : "no changes"
          }` + (later.length ? `; needs a restart: ${later.join(", ")}` : ""),
        );
      } catch (err) {
        log.error(
          `reload refused, keeping the running config: ${errText(err)}`,
        );
      }
    };
    const stopDaemon = async (signal: string) => {
      log.info(`${signal}: stopping`);
      // Stop taking datagrams; let the ones in flight finish their writes.
      const stopped = (async () => {
        await endpoint.drain();
        await inbound.drain();
        await cleanup();
      })();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((r) =>
        timer = setTimeout(() => r("late"), STOP_LIMIT_MS)
      );
      const how = await Promise.race([stopped, late]);
      clearTimeout(timer);
      log.info(
        how === "late"
          ? "goippy stopped (some parts timed out)"
          : "goippy stopped",
      );
      return 0;
    };
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
    });
    outbound = outboundPart;
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
    const alerts = startAlerts({ config: live, store, hub, log });
    cleanups.push(() => alerts.stop());
    const opsPart = await startOpsParts({
      config: live,
      store,
      log,
      metrics,
      lease,
      health: {
        udp: () => endpoint.isOpen(),
        xmpp: () => {
          const s = xmpp.state();
          return s === "off" || s === "connected" || s === "standby"
            ? s
            : "disconnected";
        },
        spoolDepth: () => inbound.spoolDepth(),
      },
    });
    ops = opsPart;
    cleanups.push(() => opsPart.stop());
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
    await cleanup();
    return 1;
  }
}

/** Resolve on SIGTERM/SIGINT (with its name); SIGHUP runs `onHup`. */
function waitForSignals(onHup: () => Promise<void>): Promise<string> {
  return new Promise((resolve) => {
    let reloading = Promise.resolve();
    const hup = () => {
      reloading = reloading.then(onHup);
    };
    const stop = (name: string) => () => {
      Deno.removeSignalListener("SIGTERM", term);
      Deno.removeSignalListener("SIGINT", int);
      Deno.removeSignalListener("SIGHUP", hup);
      reloading.then(() => resolve(name));
    };
    const term = stop("SIGTERM");
    const int = stop("SIGINT");
    Deno.addSignalListener("SIGTERM", term);
    Deno.addSignalListener("SIGINT", int);
    Deno.addSignalListener("SIGHUP", hup);
  });
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
