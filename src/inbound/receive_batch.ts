/**
 * Group commit for incoming SMS: RECEIVEs that arrive while the store is
 * busy (or within the same turn of the event loop) are written in one
 * transaction, so one fsync covers many acknowledgements. Each caller still
 * learns its own outcome, and nothing is acknowledged before its commit.
 *
 * Batches are pipelined: the next batch starts writing as soon as the
 * previous one has written its rows and is committing (on a database a
 * round trip away the commit's wait for the disk overlaps the next batch's
 * statements). Rows are still written batch after batch, so inbox rows keep
 * the order in which their SMS arrived.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type { IncomingSms, Store } from "../store/types.ts";

type Outcome = "stored" | "duplicate";

interface Pending {
  sms: IncomingSms;
  resolve: (o: Outcome) => void;
  reject: (err: unknown) => void;
}

/** Options of {@linkcode ReceiveBatcher}. */
export interface ReceiveBatcherOptions {
  store: Pick<Store, "storeIncomingSms" | "storeIncomingBatch">;
  /** Dedupe window in ms (read at each flush). */
  windowMs: () => number;
  now?: () => number;
  /** At most this many SMS per transaction (default 200). */
  maxBatch?: number;
  /** At most this many batches between their first write and their commit (default 2). */
  maxInFlight?: number;
}

/** Queue incoming SMS and write them in batches. */
export class ReceiveBatcher {
  #opts: ReceiveBatcherOptions;
  #queue: Pending[] = [];
  /** A batch is writing its rows (the next one waits for it). */
  #writing = false;
  /** Batches started and not yet finished. */
  #inFlight = 0;
  #scheduled = false;

  constructor(opts: ReceiveBatcherOptions) {
    this.#opts = opts;
  }

  /** Store one SMS (with the others waiting); resolves after its commit. */
  store(sms: IncomingSms): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      this.#queue.push({ sms, resolve, reject });
      this.#schedule();
    });
  }

  async #single(p: Pending): Promise<void> {
    try {
      p.resolve(
        await this.#opts.store.storeIncomingSms(
          p.sms,
          this.#opts.windowMs(),
          (this.#opts.now ?? Date.now)(),
        ),
      );
    } catch (err) {
      p.reject(err);
    }
  }

  #canStart(): boolean {
    return !this.#writing &&
      this.#inFlight < (this.#opts.maxInFlight ?? 2);
  }

  /** Flush after this turn of the event loop, so datagrams received meanwhile join. */
  #schedule(): void {
    if (!this.#canStart() || this.#scheduled) return;
    this.#scheduled = true;
    // After the I/O poll: datagrams already waiting join this batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (!this.#canStart() || this.#queue.length === 0) return;
    this.#writing = true;
    this.#inFlight++;
    const batch = this.#queue.splice(0, this.#opts.maxBatch ?? 200);
    // The rows are written: the next batch may start while this one commits.
    let writing = true;
    const written = () => {
      if (!writing) return;
      writing = false;
      this.#writing = false;
      if (this.#queue.length > 0) this.#schedule();
    };
    try {
      const out = await this.#opts.store.storeIncomingBatch(
        batch.map((p) => p.sms),
        this.#opts.windowMs(),
        (this.#opts.now ?? Date.now)(),
        written,
      );
      batch.forEach((p, i) => p.resolve(out[i]));
    } catch (err) {
      if (batch.length === 1) batch[0].reject(err);
      // One bad SMS must not sink the others: try each on its own.
      else await Promise.all(batch.map((p) => this.#single(p)));
    } finally {
      this.#inFlight--;
      written();
      if (this.#queue.length > 0) this.#schedule();
    }
  }
}
