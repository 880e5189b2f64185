/**
 * Webhook delivery: one loop per receiver in WEBHOOKS reads the durable
 * events after its cursor, POSTs each one it wants (signed), and moves the
 * cursor only after a 2xx answer — at-least-once, in order per receiver, a
 * restart resumes at the cursor. A failing event is retried with backoff
 * until it is WEBHOOK_RETRY_HOURS old, then given up (logged) so the
 * receiver's later events flow again.
 *
 * Line events are the one kind not written in the transaction of what they
 * report: a line's online/offline change lives in memory (keepalives, the
 * offline timer) and its state is saved in batches, so `line.online` and
 * `line.offline` are written when the change is noticed.
 *
 * Every daemon records events; with several daemons on one database only the
 * holder of the `webhooks` lease delivers them (each receiver has one cursor,
 * so two deliverers would send every event twice).
 *
 * @module
 */

import type { LiveConfig } from "../config/live.ts";
import type { Webhook } from "../config/types.ts";
import type { Hub } from "../hub.ts";
import type { Logger } from "../log.ts";
import type { Store, WebhookEvent } from "../store/types.ts";
import { holdLease } from "../instances/lease_holder.ts";
import { encodeHex } from "./hex.ts";
import { retryDelayMs, signature, webhookBody } from "./webhook_sign.ts";

/** What the deliverer needs. */
export interface WebhookDeps {
  store: Store;
  hub: Hub;
  config: LiveConfig;
  log: Logger;
  /** Poll interval while idle (default 500 ms). */
  pollMs?: number;
  /** Backoff before retry n (default {@linkcode retryDelayMs}). */
  backoffMs?: (n: number) => number;
  /** When set, deliver only while this daemon holds the `webhooks` lease. */
  lease?: { holder: string; ttlMs: number };
}

/** The lease whose holder delivers webhook events. */
export const WEBHOOKS_LEASE = "webhooks";

/** The running deliverer. */
export interface Webhooks {
  stop(): Promise<void>;
}

/** Events read per round. */
const BATCH = 200;
/** How long a receiver may take to answer. */
const TIMEOUT_MS = 10_000;

/** The cursor key of a receiver: its URL, hashed to a fixed width. */
export async function urlKey(url: string): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(url),
  );
  return encodeHex(new Uint8Array(d));
}

/** Does `hook` want `event`? */
export function wants(hook: Webhook, event: string): boolean {
  return hook.events.includes("*") || hook.events.includes(event);
}

/**
 * Start recording events and delivering them (only when WEBHOOKS lists a
 * receiver at start).
 */
export function startWebhooks(deps: WebhookDeps): Webhooks {
  const hooks = deps.config().WEBHOOKS;
  deps.store.recordWebhookEvents(true);
  const record = (event: string, data: Record<string, unknown>) => {
    deps.store.addWebhookEvent(event, JSON.stringify(data)).catch((err) =>
      deps.log.warn(`webhooks: cannot record ${event}: ${err.message ?? err}`)
    );
  };
  const offs = [
    deps.hub.on("line", ({ state, cameOnline }) => {
      if (!cameOnline) return;
      record("line.online", {
        line: state.ext,
        msisdn: state.msisdn,
        signal: state.signal,
        operator: state.provider,
      });
    }),
    deps.hub.on(
      "lineOffline",
      ({ ext }) => record("line.offline", { line: ext }),
    ),
  ];
  const deliver = () => {
    const ac = new AbortController();
    const loops = hooks.map((h) => deliverLoop(h, deps, ac.signal));
    loops.push(purgeLoop(hooks, deps, ac.signal));
    return {
      async stop() {
        ac.abort();
        await Promise.all(loops);
      },
    };
  };
  deps.log.info(`webhooks: ${hooks.length} receiver(s)`);
  let job: { stop(): Promise<void> } | null = null;
  const lease = deps.lease
    ? holdLease({
      store: deps.store,
      name: WEBHOOKS_LEASE,
      ...deps.lease,
      log: deps.log,
      onAcquired: () => job = deliver(),
      onLost: async () => {
        const j = job;
        job = null;
        await j?.stop();
      },
    })
    : null;
  if (!lease) job = deliver();
  return {
    async stop() {
      for (const off of offs) off();
      if (lease) await lease.stop();
      else await job?.stop();
    },
  };
}

/** How often delivered events are deleted. */
const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Delete events every receiver has taken once they are older than the
 * retry window, so the table stays small.
 */
async function purgeLoop(
  hooks: Webhook[],
  deps: WebhookDeps,
  signal: AbortSignal,
): Promise<void> {
  const keys = await Promise.all(hooks.map((h) => urlKey(h.url)));
  while (!signal.aborted) {
    await abortableSleep(PURGE_EVERY_MS, signal);
    if (signal.aborted) return;
    try {
      const cursors = await Promise.all(
        keys.map((k) => deps.store.webhookCursor(k)),
      );
      const hours = deps.config().WEBHOOK_RETRY_HOURS;
      await deps.store.purgeWebhookEvents(
        Math.min(...cursors),
        Date.now() - hours * 3600_000,
      );
    } catch (err) {
      deps.log.warn(`webhooks: purge: ${(err as Error).message ?? err}`);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

async function deliverLoop(
  hook: Webhook,
  deps: WebhookDeps,
  signal: AbortSignal,
): Promise<void> {
  const key = await urlKey(hook.url);
  const pollMs = deps.pollMs ?? 500;
  const backoff = deps.backoffMs ?? retryDelayMs;
  const sleep = (ms: number) => abortableSleep(ms, signal);
  while (!signal.aborted) {
    let events: WebhookEvent[] = [];
    let cursor = 0;
    try {
      cursor = await deps.store.webhookCursor(key);
      events = await deps.store.webhookEventsAfter(cursor, BATCH);
    } catch (err) {
      deps.log.warn(`webhooks: store: ${(err as Error).message ?? err}`);
    }
    if (events.length === 0) {
      await sleep(pollMs);
      continue;
    }
    for (const e of events) {
      if (signal.aborted) return;
      if (wants(hook, e.event)) {
        const done = await deliverOne(hook, e, deps, signal, backoff, sleep);
        if (!done) return; // stopped while retrying
      }
      cursor = e.id;
      // Moved after each delivered event: a crash repeats at most one.
      await deps.store.setWebhookCursor(key, cursor).catch((err) =>
        deps.log.warn(`webhooks: store: ${(err as Error).message ?? err}`)
      );
    }
  }
}

/** POST until 2xx or given up; false when stopped first. */
async function deliverOne(
  hook: Webhook,
  e: WebhookEvent,
  deps: WebhookDeps,
  signal: AbortSignal,
  backoff: (n: number) => number,
  sleep: (ms: number) => Promise<void>,
): Promise<boolean> {
  const body = webhookBody(e);
  const headers = {
    "content-type": "application/json",
    "user-agent": "goippy",
    "x-goippy-event": e.event,
    "x-goippy-event-id": String(e.id),
    "x-goippy-signature": await signature(hook.secret, body),
  };
  for (let attempt = 1; !signal.aborted; attempt++) {
    let why: string;
    try {
      const res = await fetch(hook.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
      });
      await res.body?.cancel();
      if (res.ok) return true;
      why = `HTTP ${res.status}`;
    } catch (err) {
      if (signal.aborted) return false;
      why = (err as Error).message ?? String(err);
    }
    const limitMs = deps.config().WEBHOOK_RETRY_HOURS * 3600_000;
    if (Date.now() - e.createdMs > limitMs) {
      deps.log.warn(
        `webhooks: ${hook.url}: gave up event ${e.id} (${e.event}) after ` +
          `${attempt} attempts: ${why}`,
      );
      return true;
    }
    if (attempt === 1 || attempt % 10 === 0) {
      deps.log.warn(
        `webhooks: ${hook.url}: event ${e.id} (${e.event}) not taken: ${why}; retrying`,
      );
    }
    await sleep(backoff(attempt));
  }
  return false;
}
