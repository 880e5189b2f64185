/**
 * The XMPP part of the daemon: the component link, the inbox deliverer, the
 * stanza handlers and the own-line presence. Off when XMPP_COMPONENT_JID is
 * "". The UDP side never waits for it.
 *
 * @module
 */

import { instanceId } from "../instances/liveness.ts";
import type { LiveConfig } from "../config/live.ts";
import type { Hub } from "../hub.ts";
import type { Logger } from "../log.ts";
import type { Gateway, LineState, Store } from "../store/types.ts";
import { VERSION } from "../version.ts";
import { lineOnline } from "../line_online.ts";
import { gatewayPages } from "../store/gateway_pages.ts";
import { lineStatusText } from "./commands.ts";
import { ComponentLink, type LinkState } from "./component.ts";
import { Deliverer } from "./deliverer.ts";
import { handleStanza } from "./handlers.ts";
import { iqRoutes } from "./iq.ts";
import type { GoippyMetrics } from "../metrics/goippy.ts";
import { RosterSync } from "./roster.ts";
import { type AdhocDeps, adhocRoute, commandItems } from "./adhoc.ts";
import { ownLineJid } from "./jid.ts";
import { lineUserJid } from "./line_jid.ts";
import { presence } from "./stanzas.ts";
import { FailureLimiter, registerRoutes } from "./register.ts";

/** What {@linkcode startXmpp} needs. */
export interface XmppDeps {
  /**
   * The config in force: the XMPP_* settings are read once (they need a
   * restart), GOIP_OFFLINE_AFTER whenever a line's presence is decided.
   */
  config: LiveConfig;
  store: Store;
  hub: Hub;
  log: Logger;
  /** Counts SMS refused for a send limit when given. */
  metrics?: GoippyMetrics;
  /** Confirmed inbox rows not yet marked done (see `DelivererDeps`). */
  confirmed?: Set<number>;
  /** Watchdog/backoff/confirmation timing (tests shorten them). */
  timing?: XmppTiming;
}

/** Optional timing knobs; defaults: ping every 30 s, 30 s to answer. */
export interface XmppTiming {
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  minDelayMs?: number;
  pollMs?: number;
}

/** The running XMPP part. */
export interface XmppPart {
  /** Close the stream (`</stream:stream>`) and stop. */
  stop(): Promise<void>;
  state(): LinkState;
}

/** Start the XMPP part (returns at once; connects in the background). */
export function startXmpp(deps: XmppDeps): XmppPart {
  const { store, hub, log } = deps;
  const config = deps.config();
  if (!config.XMPP_COMPONENT_JID) {
    log.info("XMPP: off (XMPP_COMPONENT_JID is empty)");
    return { stop: () => Promise.resolve(), state: () => "off" };
  }
  const component = config.XMPP_COMPONENT_JID;
  /** goipId → [from JID, status text, user JID] last announced. */
  const announced = new Map<string, [string, string, string]>();
  const send = (el: Parameters<ComponentLink["send"]>[0]): Promise<void> =>
    link.send(el);
  const pending = new Set<Promise<void>>();
  let serial: Promise<void> = Promise.resolve();
  const track = (p: Promise<void>) => {
    pending.add(p);
    p.finally(() => pending.delete(p));
  };

  /**
   * The line's presence to its user, when it changed or `force`d (a
   * registration forces it: the user changed). `gateway`: the line's row
   * when at hand, else it is read (not for every keepalive).
   */
  const announce = async (
    state: LineState,
    force: boolean,
    gateway?: Gateway,
  ) => {
    if (link.state() !== "connected") return;
    const from = ownLineJid(state.msisdn, component);
    const text = lineStatusText(state);
    const last = announced.get(state.goipId);
    if (!force && last && last[0] === from && last[1] === text) return;
    const to = lineUserJid(
      gateway ?? await store.gatewayByGoipId(state.goipId) ?? state,
      config.XMPP_DOMAIN,
    );
    if (last && (last[0] !== from || last[2] !== to)) {
      await send(presence(last[0], last[2], "unavailable"));
    }
    announced.set(state.goipId, [from, text, to]);
    await send(presence(from, to, undefined, text));
  };

  /** Which walk of {@linkcode announceAll} is the current one. */
  let walk = 0;
  /**
   * Every online line's presence, the fleet read a page at a time (the event
   * loop free between pages); a newer walk (the link came up again) or the
   * link going down ends this one.
   */
  const announceAll = async () => {
    const mine = ++walk;
    announced.clear();
    const stopped = () => mine !== walk || link.state() !== "connected";
    for await (const page of gatewayPages(store, { stopped })) {
      const now = Date.now();
      for (const g of page) {
        if (stopped()) return;
        if (
          g.enabled && g.state &&
          lineOnline(g.state, now, deps.config())
        ) {
          await announce(g.state, true, g);
        }
      }
    }
  };

  /** A registration gave the line another user: presence and roster follow. */
  const userChanged = async (g: Gateway) => {
    try {
      const s = await store.lineState(g.goipId);
      if (s && lineOnline(s, Date.now(), deps.config())) {
        await announce(s, true, g);
      }
      if (roster.granted) await roster.syncAll();
    } catch (err) {
      log.debug(`XMPP: registration: ${err}`);
    }
  };

  const roster: RosterSync = new RosterSync({
    config: deps.config,
    store,
    log,
    send,
    ready: () => link.state() === "connected",
  });
  const adhoc: AdhocDeps = { config: deps.config, store, roster, hub };
  const link: ComponentLink = new ComponentLink({
    host: config.XMPP_HOST,
    port: config.XMPP_PORT,
    jid: component,
    secret: config.XMPP_COMPONENT_SECRET,
    pingTo: config.XMPP_DOMAIN,
    log,
    ...deps.timing,
    // one stanza after the other: a user's messages are queued in order
    onStanza: (el) =>
      track(
        serial = serial.then(() =>
          handleStanza(el, {
            config: deps.config(),
            store,
            hub,
            log,
            send,
            metrics: deps.metrics,
            roster,
          })
        ),
      ),
    iqRoutes: [
      ...iqRoutes({
        componentJid: component,
        version: VERSION,
        os: Deno.build.os,
        commandItems: (iq) => commandItems(iq, adhoc),
        registration: () => deps.config().REGISTRATION,
      }),
      adhocRoute(adhoc),
      ...registerRoutes({
        config: deps.config,
        store,
        limiter: new FailureLimiter(),
        log,
        changed: (g) => track(userChanged(g)),
      }),
    ],
    onOnline: () => {
      deliverer.connected();
      track(
        roster.online().catch((err) => log.warn(`XMPP: roster sync: ${err}`)),
      );
      track(
        announceAll().catch((err) =>
          log.warn(`XMPP: presence broadcast failed: ${err}`)
        ),
      );
    },
  });
  const deliverer = new Deliverer({
    store,
    link,
    componentJid: component,
    log,
    instanceId: instanceId(deps.config()),
    confirmed: deps.confirmed,
  });

  const offs = [
    hub.on("inbox", () => deliverer.wake()),
    hub.on(
      "line",
      ({ state, cameOnline }) =>
        track(
          announce(state, cameOnline).catch((err) =>
            log.debug(`XMPP: presence: ${err}`)
          ),
        ),
    ),
    hub.on("line", ({ state, cameOnline }) => {
      if (!cameOnline || !roster.granted || link.state() !== "connected") {
        return;
      }
      track(
        store.gatewayByGoipId(state.goipId).then((g) =>
          roster.lineSeen(g ?? state, state.msisdn)
        ).catch((err) => log.debug(`XMPP: roster: ${err}`)),
      );
    }),
    hub.on("lineOffline", ({ goipId }) => {
      const last = announced.get(goipId);
      if (!last) return;
      announced.delete(goipId);
      if (link.state() !== "connected") return;
      track(
        send(presence(last[0], last[2], "unavailable"))
          .catch((err) => log.debug(`XMPP: presence: ${err}`)),
      );
    }),
  ];

  link.start();
  deliverer.start();
  return {
    state: () => link.state(),
    stop: async () => {
      for (const off of offs) off();
      // Let the batch in flight finish (bounded: the daemon must stop within
      // 5 s); an unconfirmed batch is simply sent again next time.
      const delivererStopped = deliverer.stop();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled([delivererStopped, ...pending]),
        new Promise((r) => timer = setTimeout(r, 1000)),
      ]);
      clearTimeout(timer);
      await link.stop(); // ends pings still waiting, so the deliverer ends too
      await delivererStopped;
    },
  };
}
