/**
 * Ack-after-persist when the store is away: each inbound event is written
 * to the store, or, when the store fails or does not answer within
 * {@linkcode STORE_BOUND_MS}, to the local spool (`spool/spool_file.ts`);
 * either way it is persisted before the GoIP hears `OK`. While anything is
 * spooled, new events go to the spool too (behind the older ones: order per
 * line holds), and a replayer moves the spool into the store, oldest first,
 * once the store answers again. Replay is idempotent: it goes through the
 * same dedupe as a GoIP retransmission. The outbound side persists the
 * outcomes of its sends through the same gate (`outbound/outcome_spool.ts`),
 * so they keep their place among the events of their line.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type { Logger } from "../log.ts";
import { bounded, STORE_BOUND_MS } from "./bounded.ts";
import {
  type NewSpoolRecord,
  SET_ASIDE_AFTER,
  type SpoolFile,
  type SpoolRecord,
} from "../spool/spool_file.ts";

/** How often the replayer asks whether the store is back. */
const PROBE_EVERY_MS = 1000;

/** At most one SPOOL FULL line per this time (every refused event is not news). */
const FULL_LOG_EVERY_MS = 10_000;

/** Events replayed per look into the spool. */
const REPLAY_BATCH = 100;

/** Thrown when an event can be neither stored nor spooled. */
export class NotPersistedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotPersistedError";
  }
}

/** What the spooler needs. */
export interface SpoolerOptions {
  /** The spool, or null when it is off (store errors then mean no ack). */
  file: SpoolFile | null;
  log: Logger;
  /**
   * Move spooled events (oldest first) into the store: at least the first,
   * and as many after it as it likes; resolves with the outcome of each one
   * moved ("duplicate": it was there already).
   */
  replay: (rs: SpoolRecord[]) => Promise<("stored" | "duplicate")[]>;
  /** Throws while the store is away. */
  probe: () => Promise<void>;
  /** Bound of one store write (default {@linkcode STORE_BOUND_MS}). */
  boundMs?: number;
  /** Pause between replay attempts while the store is away (default 1 s). */
  retryMs?: number;
}

/** The gate between inbound handlers and the store. */
export class Spooler {
  #o: SpoolerOptions;
  #replaying: Promise<void> | null = null;
  #stopped = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | null = null;
  /** Events spooled since spooling last began (for the log). */
  #spooledRun = 0;
  /** Events in the spool file waiting for replay (kept, not counted each time). */
  #waiting: number;
  /** Events on their way into the spool file (one commit for all of them). */
  #pending: {
    rec: NewSpoolRecord;
    resolve: (v: { how: "spooled" }) => void;
    reject: (err: unknown) => void;
  }[] = [];
  #flushScheduled = false;
  #fullLoggedAt = -Infinity;

  constructor(opts: SpoolerOptions) {
    this.#o = opts;
    this.#waiting = opts.file?.depth() ?? 0;
  }

  /** Events waiting in the spool (0 without one). */
  depth(): number {
    return this.#waiting;
  }

  /**
   * Records of packet `type` waiting for replay, those on their way into
   * the file included.
   */
  depthOfType(type: string): number {
    const prefix = `{"type":${JSON.stringify(type)},`;
    const pending = this.#pending.filter((p) =>
      p.rec.packet.startsWith(prefix)
    );
    return (this.#o.file?.depthOfType(type) ?? 0) + pending.length;
  }

  /** Whether events are going to the spool now. */
  spooling(): boolean {
    return this.#waiting + this.#pending.length > 0;
  }

  /** Start replaying what an earlier run left in the spool. */
  start(): void {
    const d = this.depth();
    if (d > 0) {
      this.#o.log.warn(
        `spool: ${d} events left in ${
          this.#o.file!.path
        }; replaying them into the store`,
      );
      this.#kick();
    }
  }

  /**
   * Persist one event: `write` it to the store, or spool `rec`. Resolves
   * "stored" with write's result, or "spooled"; throws when neither worked
   * (then nothing may be acknowledged).
   */
  async persist<T>(
    rec: () => NewSpoolRecord,
    write: () => Promise<T>,
  ): Promise<{ how: "stored"; value: T } | { how: "spooled" }> {
    const file = this.#o.file;
    if (file && this.spooling()) return await this.#spool(file, rec(), null);
    try {
      return { how: "stored", value: await bounded(write(), this.#boundMs) };
    } catch (err) {
      if (!file) throw err;
      return await this.#spool(file, rec(), err);
    }
  }

  get #boundMs(): number {
    return this.#o.boundMs ?? STORE_BOUND_MS;
  }

  #spool(
    file: SpoolFile,
    rec: NewSpoolRecord,
    why: unknown,
  ): Promise<{ how: "spooled" }> {
    if (file.full()) {
      if (Date.now() - this.#fullLoggedAt > FULL_LOG_EVERY_MS) {
        this.#fullLoggedAt = Date.now();
        this.#o.log.error(
          `SPOOL FULL (${file.path}, SPOOL_MAX_MB reached, ${this.#waiting} events): ` +
            `events are NOT acknowledged; the GoIPs keep them and send them again`,
        );
      }
      return Promise.reject(
        new NotPersistedError("the store is away and the spool is full"),
      );
    }
    if (!this.spooling()) {
      this.#spooledRun = 0;
      this.#o.log.warn(
        `spool: the store cannot take events (${
          why instanceof Error ? why.message : String(why ?? "")
        }); spooling them to ${file.path} and acknowledging`,
      );
    }
    this.#spooledRun++;
    return new Promise((resolve, reject) => {
      this.#pending.push({ rec, resolve, reject });
      if (this.#flushScheduled) return;
      this.#flushScheduled = true;
      // After the I/O poll: events already received share the commit.
      setImmediate(() => this.#flush(file));
    });
  }

  /** Write the pending events in one transaction (one fsync), then ack them. */
  #flush(file: SpoolFile): void {
    this.#flushScheduled = false;
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    try {
      file.appendMany(batch.map((b) => b.rec));
    } catch (err) {
      this.#o.log.error(`spool: cannot write ${file.path}: ${err}`);
      for (const b of batch) {
        b.reject(new NotPersistedError(`the spool cannot be written: ${err}`));
      }
      return;
    }
    this.#waiting += batch.length;
    for (const b of batch) b.resolve({ how: "spooled" });
    this.#kick();
  }

  /** Make sure the replayer runs (and looks now). */
  #kick(): void {
    if (this.#stopped) return;
    if (this.#replaying) {
      return;
    }
    this.#replaying = this.#replayLoop().finally(() => {
      this.#replaying = null;
    });
  }

  async #replayLoop(): Promise<void> {
    const file = this.#o.file!;
    let stored = 0, dupes = 0;
    let single = false;
    const started = Date.now();
    while (!this.#stopped) {
      const batch = file.oldest(REPLAY_BATCH);
      if (batch.length === 0) break;
      let ok = true;
      try {
        await bounded(this.#o.probe(), this.#boundMs);
      } catch {
        ok = false;
      }
      let i = 0;
      while (ok && i < batch.length && !this.#stopped) {
        const rest = single ? batch.slice(i, i + 1) : batch.slice(i);
        try {
          const outs = await bounded(this.#o.replay(rest), this.#boundMs * 5);
          if (outs.length === 0) throw new Error("replay moved nothing");
          const done = rest.slice(0, outs.length);
          file.removeMany(done.map((r) => r.id));
          this.#waiting -= done.length;
          for (const how of outs) how === "stored" ? stored++ : dupes++;
          i += done.length;
          single = false;
        } catch (err) {
          if (!single && rest.length > 1) {
            // Try one at a time: the failure is then counted on its event.
            single = true;
            continue;
          }
          const r = rest[0];
          file.failed(r.id);
          if (r.attempts + 1 >= SET_ASIDE_AFTER) {
            this.#waiting--;
            this.#o.log.error(
              `spool: event ${r.id} (${r.goipId}) failed ${SET_ASIDE_AFTER} replays, ` +
                `set aside in ${file.path}: ${(err as Error).message}`,
            );
            i++;
            continue;
          }
          ok = false;
        }
      }
      if (!ok) await this.#sleep(this.#o.retryMs ?? PROBE_EVERY_MS);
    }
    if (stored + dupes > 0) {
      this.#o.log.info(
        `spool: replay done: ${stored} events moved into the store` +
          (dupes ? `, ${dupes} were there already` : "") +
          ` (${this.#spooledRun} spooled, ${
            Math.round((Date.now() - started) / 1000)
          } s); ${file.depth()} left`,
      );
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.#wake = r;
      this.#timer = setTimeout(r, ms);
    });
  }

  /** Stop replaying (what is spooled stays for the next start). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#wake?.();
    await this.#replaying;
    if (this.#o.file) this.#flush(this.#o.file);
    this.#o.file?.close();
  }
}
