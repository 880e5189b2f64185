/**
 * Group commit for incoming SMS: RECEIVEs that arrive while the store is
 * busy (or within the same turn of the event loop) are written in one
 * transaction, so one fsync covers many acknowledgements. Each caller still
 * learns its own outcome, and nothing is acknowledged before its commit.
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
}

/** Queue incoming SMS and write them in batches. */
export class ReceiveBatcher {
  #opts: ReceiveBatcherOptions;
  #queue: Pending[] = [];
  #busy = false;
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

  /** Flush after this turn of the event loop, so datagrams received meanwhile join. */
  #schedule(): void {
    if (this.#busy || this.#scheduled) return;
    this.#scheduled = true;
    // After the I/O poll: datagrams already waiting join this batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#busy || this.#queue.length === 0) return;
    this.#busy = true;
    const batch = this.#queue.splice(0, this.#opts.maxBatch ?? 200);
    try {
      const out = await this.#opts.store.storeIncomingBatch(
        batch.map((p) => p.sms),
        this.#opts.windowMs(),
        (this.#opts.now ?? Date.now)(),
      );
      batch.forEach((p, i) => p.resolve(out[i]));
    } catch (err) {
      if (batch.length === 1) batch[0].reject(err);
      // One bad SMS must not sink the others: try each on its own.
      else await Promise.all(batch.map((p) => this.#single(p)));
    } finally {
      this.#busy = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }
}
