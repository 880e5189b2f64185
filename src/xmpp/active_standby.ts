/**
 * The XMPP part when several daemons share one database: exactly one holds
 * the component connection (the `xmpp` lease) and runs the inbox deliverer;
 * the others stand by and take over when the holder dies. Prosody accepts
 * one connection per component anyway, and on ejabberd a reply addressed to
 * the component may arrive on any of its connections, which would break the
 * delivery confirmation (a ping answered on the same stream) and the ping
 * watchdog. A user's stanza reaches the holder, which writes it to the
 * outbox; the line's daemon picks it up from there (it polls every second).
 *
 * @module
 */

import { holdLease } from "../instances/lease_holder.ts";
import { startXmpp, type XmppDeps, type XmppPart } from "./start.ts";

/** The lease's name in `goippy_leases`. */
export const XMPP_LEASE = "xmpp";

/** What {@linkcode startXmppActiveStandby} needs besides the XMPP part's deps. */
export interface ActiveStandbyOptions {
  /** This daemon's instance id. */
  holder: string;
  /** Lease length in ms (INSTANCE_DEAD_AFTER): the longest takeover. */
  ttlMs: number;
}

/** The XMPP part, run only while this daemon holds the `xmpp` lease. */
export interface StandbyXmppPart {
  stop(): Promise<void>;
  /** `standby` while another daemon holds the connection. */
  state(): ReturnType<XmppPart["state"]> | "standby";
}

/** Start holding the lease (returns at once); XMPP off stays off. */
export function startXmppActiveStandby(
  deps: XmppDeps,
  opts: ActiveStandbyOptions,
): StandbyXmppPart {
  if (!deps.config().XMPP_COMPONENT_JID) return startXmpp(deps);
  let part: XmppPart | null = null;
  // Rows the server confirmed to one part whose "done" mark has not reached
  // the database: the next part marks them first and never sends them again.
  const confirmed = new Set<number>();
  const withConfirmed = { ...deps, confirmed };
  const lease = holdLease({
    store: deps.store,
    name: XMPP_LEASE,
    holder: opts.holder,
    ttlMs: opts.ttlMs,
    log: deps.log,
    onAcquired: () => part = startXmpp(withConfirmed),
    onLost: async () => {
      const p = part;
      part = null;
      await p?.stop();
      // Rows this daemon claimed but never saw confirmed go to the next
      // holder now, not only once this daemon is dead; confirmed ones are
      // marked done first, so they are not among them.
      try {
        const ids = [...confirmed];
        if (ids.length) await deps.store.markInboxDone(ids, opts.holder);
        confirmed.clear();
        await deps.store.releaseInboxClaims([opts.holder]);
      } catch (err) {
        // The database is away: the claims stay ours; taken back, the lease
        // brings them to our next part, and our death releases them.
        deps.log.warn(
          `xmpp: inbox claims kept (database away): ${(err as Error).message}`,
        );
      }
    },
  });
  return {
    state: () => part ? part.state() : "standby",
    stop: () => lease.stop(),
  };
}
