/**
 * The in-process signals that join goippy's parts. The database is where data
 * lives; the hub only wakes the part that should look at it. One `Hub` is made
 * per daemon and passed to each part (no module-level state).
 *
 * @module
 */

import type { ReplyPacket } from "./goip/types.ts";
import type { LineState } from "./store/types.ts";

/** Events and their payloads. */
export interface HubEvents {
  /** New rows in the inbox: the XMPP deliverer should look. */
  inbox: void;
  /** New/changed rows in the outbox; goipId when known. */
  outbox: { goipId?: string };
  /** A line sent an authenticated keepalive (`cameOnline` on the first one after silence). */
  line: { state: LineState; cameOnline: boolean };
  /** A line went silent for longer than GOIP_OFFLINE_AFTER. */
  lineOffline: { goipId: string; ext: string };
  /** A command reply from a GoIP, with the address it came from. */
  reply: { addr: string; reply: ReplyPacket };
  /** A source is ignored for `blockS` after too many failed authentications. */
  authBlocked: { ip: string; why: string; blockS: number };
  /** A call ended (RECORD … HANGUP), for call notifications. */
  callEnded: { callId: number };
}

type Listener<T> = (payload: T) => void;

/**
 * A small typed event bus. Listeners run synchronously inside `emit`, so they
 * only note the news and return (work goes into a promise of their own); one
 * that throws is logged and does not stop the others.
 */
export class Hub {
  #listeners = new Map<keyof HubEvents, Set<Listener<never>>>();

  /** Subscribe; returns a function that unsubscribes. */
  on<K extends keyof HubEvents>(
    event: K,
    listener: Listener<HubEvents[K]>,
  ): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, set = new Set());
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Tell every listener; a listener that throws is isolated from the others. */
  emit<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    for (const l of this.#listeners.get(event) ?? []) {
      try {
        (l as Listener<HubEvents[K]>)(payload);
      } catch (err) {
        console.error(`hub listener for ${event} threw:`, err);
      }
    }
  }
}
