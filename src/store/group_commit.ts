/**
 * Group commit: requests that arrive while a batch is being written (or
 * within the same turn of the event loop) are written together by one
 * call, so one transaction (one fsync) serves many. Each caller learns its
 * own result, and only after the batch's commit.
 *
 * @module
 */

import { setImmediate } from "node:timers";

interface Pending<Req, Res> {
  req: Req;
  resolve: (r: Res) => void;
  reject: (err: unknown) => void;
}

/** Options of {@linkcode GroupCommit}. */
export interface GroupCommitOptions<Req, Res> {
  /** Write a batch; one result per request, in order. */
  batch: (reqs: Req[]) => Promise<Res[]>;
  /**
   * Write one request alone: used when a batch fails, so that one bad
   * request does not sink the others.
   */
  single: (req: Req) => Promise<Res>;
  /** At most this many requests per batch (default 200). */
  maxBatch?: number;
}

/** Queue requests and write them in batches, one batch at a time. */
export class GroupCommit<Req, Res> {
  #opts: GroupCommitOptions<Req, Res>;
  #queue: Pending<Req, Res>[] = [];
  #busy = false;
  #scheduled = false;

  constructor(opts: GroupCommitOptions<Req, Res>) {
    this.#opts = opts;
  }

  /** Write `req` with the others waiting; resolves after its commit. */
  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.#queue.push({ req, resolve, reject });
      this.#schedule();
    });
  }

  /** Flush after this turn of the event loop, so requests made meanwhile join. */
  #schedule(): void {
    if (this.#busy || this.#scheduled) return;
    this.#scheduled = true;
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
      const out = await this.#opts.batch(batch.map((p) => p.req));
      batch.forEach((p, i) => p.resolve(out[i]));
    } catch (err) {
      if (batch.length === 1) batch[0].reject(err);
      else await Promise.all(batch.map((p) => this.#single(p)));
    } finally {
      this.#busy = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  async #single(p: Pending<Req, Res>): Promise<void> {
    try {
      p.resolve(await this.#opts.single(p.req));
    } catch (err) {
      p.reject(err);
    }
  }
}
