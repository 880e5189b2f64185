/**
 * Alerts to ADMIN_JIDS: a line offline for ALERT_LINE_AFTER seconds and back,
 * a source blocked for failing authentication, the oldest queued item of an
 * online line older than ALERT_STUCK_MINUTES. Each kind can be turned off
 * (ALERTS); all keys are read at the moment of use, so a SIGHUP applies them.
 * Alerts are inbox rows like every message for a user, delivered by the XMPP
 * deliverer.
 *
 * @module
 */

import type { LiveConfig } from "../config/live.ts";
import type { Hub } from "../hub.ts";
import { lineOnline } from "../line_online.ts";
import type { Logger } from "../log.ts";
import {
  authAlert,
  lineBackAlert,
  lineOfflineAlert,
  stuckAlert,
} from "../notices/alerts.ts";
import type { Store } from "../store/types.ts";
import { type AlertKind, AlertMachine } from "./machine.ts";

/** How often due alerts are looked for. */
const TICK_MS = 5_000;
/** How often the queues are looked at for stuck items. */
const STUCK_EVERY_MS = 60_000;

/** What the alerts need. */
export interface AlertsDeps {
  config: LiveConfig;
  store: Store;
  hub: Hub;
  log: Logger;
  now?: () => number;
  /** How often due alerts are looked for (tests shorten it). */
  tickMs?: number;
  /** How often the queues are looked at (tests shorten it). */
  stuckEveryMs?: number;
}

/** The running alerts. */
export interface Alerts {
  stop(): Promise<void>;
}

/** Start watching; alerts go out only while ADMIN_JIDS and XMPP are set. */
export function startAlerts(d: AlertsDeps): Alerts {
  const now = d.now ?? Date.now;
  const machine = new AlertMachine();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastStuckMs = 0;

  const enabled = (kind: AlertKind): boolean => {
    const c = d.config();
    return c.ADMIN_JIDS.length > 0 && c.XMPP_COMPONENT_JID !== "" &&
      c.ALERTS.includes(kind);
  };

  const send = async (text: string, goipId: string): Promise<void> => {
    const c = d.config();
    d.log.info(`alert: ${text}`);
    for (const admin of c.ADMIN_JIDS) {
      await d.store.enqueueInbox({
        kind: "chat",
        fromJid: c.XMPP_COMPONENT_JID,
        toJid: admin,
        body: text,
        refId: "",
        goipId,
      });
    }
    d.hub.emit("inbox", undefined);
  };

  /** Run `fn` after whatever runs now, logging instead of throwing. */
  const queue = (what: string, fn: () => Promise<void>): void => {
    running = running.then(fn).catch((err) =>
      d.log.warn(`alerts: ${what} failed: ${err}`)
    );
  };

  const offs = [
    d.hub.on("lineOffline", ({ goipId, ext }) => {
      machine.lineOffline(goipId, ext, now());
    }),
    d.hub.on("line", ({ state, cameOnline }) => {
      if (!cameOnline) return;
      const offMs = machine.lineOnline(state.goipId, now());
      if (offMs === undefined || !enabled("line")) return;
      queue(
        "line back",
        () => send(lineBackAlert(state.goipId, state.ext, offMs), state.goipId),
      );
    }),
    d.hub.on("authBlocked", ({ ip, why, blockS }) => {
      if (!enabled("auth") || !machine.authBlocked(ip, now())) return;
      queue("auth", () => send(authAlert(ip, why, blockS), ""));
    }),
  ];

  const lineAlerts = async (): Promise<void> => {
    const t = now();
    const due = machine.dueOffline(t, d.config().ALERT_LINE_AFTER * 1000);
    if (!enabled("line")) return;
    for (const line of due) {
      const state = await d.store.lineState(line.goipId);
      await send(
        lineOfflineAlert(line.goipId, line.ext, line.sinceMs, t, state),
        line.goipId,
      );
    }
  };

  const stuckAlerts = async (): Promise<void> => {
    const t = now();
    const every = d.stuckEveryMs ?? STUCK_EVERY_MS;
    if (!enabled("stuck") || t - lastStuckMs < every) return;
    lastStuckMs = t;
    const config = d.config();
    const oldest = new Map<string, { itemId: number; waitedMs: number }>();
    const items = new Map<string, Awaited<ReturnType<Store["nextQueued"]>>>();
    for (const goipId of await d.store.linesWithQueued()) {
      const state = await d.store.lineState(goipId);
      if (!lineOnline(state, t, config)) continue;
      const item = await d.store.nextQueued(goipId);
      if (!item) continue;
      items.set(goipId, item);
      oldest.set(goipId, { itemId: item.id, waitedMs: t - item.createdMs });
    }
    const stuckMs = config.ALERT_STUCK_MINUTES * 60_000;
    for (const goipId of machine.stuck(oldest, stuckMs)) {
      const item = items.get(goipId)!;
      await send(
        stuckAlert(goipId, item.ext, item, t - item.createdMs),
        goipId,
      );
    }
  };

  const tick = () => {
    queue("tick", async () => {
      await lineAlerts();
      await stuckAlerts();
    });
    running.finally(() => {
      if (!stopped) timer = setTimeout(tick, d.tickMs ?? TICK_MS);
    });
  };
  timer = setTimeout(tick, d.tickMs ?? TICK_MS);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      for (const off of offs) off();
      await running;
    },
  };
}
