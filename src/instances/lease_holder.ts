/**
 * Hold a lease (see `Store.acquireLease`) for as long as this daemon runs:
 * try to take it every quarter of its length, renew it while held, and run
 * a job only while it is held. Exactly one daemon of those sharing the
 * database then runs the job; when its holder dies (no renewal for a lease
 * length) another takes over, when it stops cleanly at once.
 *
 * The holder steps down by itself when it could not renew for three
 * quarters of the lease (the database away from it), a quarter before any
 * other daemon may take the lease, so two never run the job together.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { Store } from "../store/types.ts";

/** What {@linkcode holdLease} needs. */
export interface LeaseHolderOptions {
  store: Pick<Store, "acquireLease" | "releaseLease">;
  /** The lease's name (`xmpp`, `housekeeping`). */
  name: string;
  /** This daemon's instance id. */
  holder: string;
  /** Lease length in ms. */
  ttlMs: number;
  log: Logger;
  /** Called when the lease is taken: start the job. */
  onAcquired(): void;
  /** Called when the lease is lost or given up: stop the job. */
  onLost(): Promise<void>;
  /** Clock (epoch ms); defaults to `Date.now`. */
  now?: () => number;
}

/** A running lease holder. */
export interface LeaseHolder {
  /** True while this daemon holds the lease. */
  held(): boolean;
  /** Stop the job (if held), give the lease up, stop trying. */
  stop(): Promise<void>;
}

/** Start trying to hold the lease; the first try is made at once. */
export function holdLease(opts: LeaseHolderOptions): LeaseHolder {
  const { store, name, holder, ttlMs, log } = opts;
  const now = opts.now ?? Date.now;
  const every = Math.max(100, Math.floor(ttlMs / 4));
  let held = false;
  let stopped = false;
  let sleepTimer: ReturnType<typeof setTimeout> | undefined;
  let wakeUp = () => {};
  /** Steps down when no renewal came in time (even if one hangs). */
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let losing: Promise<void> = Promise.resolve();

  const lose = (why: string) => {
    clearTimeout(watchdog);
    if (!held) return losing;
    held = false;
    log.info(`lease ${name}: ${why}`);
    losing = losing.then(() => opts.onLost()).catch((err) =>
      log.warn(`lease ${name}: stopping the job: ${err?.message ?? err}`)
    );
    return losing;
  };

  const tick = async () => {
    const asked = now();
    let got: boolean | "error" = "error";
    try {
      got = await store.acquireLease(name, holder, asked, ttlMs);
    } catch (err) {
      log.debug(`lease ${name}: ${(err as Error).message ?? err}`);
    }
    if (stopped) return;
    if (got === true) {
      // Counted from before the question, a quarter short of the expiry.
      const validUntil = asked + ttlMs - every;
      clearTimeout(watchdog);
      watchdog = setTimeout(
        () => lose("could not renew it; standing by"),
        Math.max(0, validUntil - now()),
      );
      if (!held) {
        await losing;
        held = true;
        log.info(`lease ${name}: held by this daemon (${holder})`);
        opts.onAcquired();
      }
    } else if (got === false) {
      await lose("held by another daemon; standing by");
    }
  };

  const loop = (async () => {
    while (!stopped) {
      await tick();
      if (stopped) break;
      await new Promise<void>((r) => {
        wakeUp = r;
        sleepTimer = setTimeout(r, every);
      });
    }
  })();

  return {
    held: () => held,
    async stop() {
      stopped = true;
      clearTimeout(sleepTimer);
      wakeUp();
      // The job stops first: a renewal hanging on an unreachable database
      // must not keep it running.
      const wasHeld = held;
      await lose("given up (stopping)");
      await loop;
      if (!wasHeld) return;
      await store.releaseLease(name, holder).catch((err) =>
        log.debug(`lease ${name}: release: ${(err as Error).message ?? err}`)
      );
    },
  };
}
