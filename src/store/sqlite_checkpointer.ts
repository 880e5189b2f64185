/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses the WAL threshold, on the thread that
 * commits: with `synchronous=FULL` it copies and fsyncs the database file
 * while the daemon cannot read its UDP socket, and datagrams pile up in the
 * kernel. With a checkpointer the daemon's connection turns automatic
 * checkpoints off and a worker with its own connection runs a PASSIVE
 * checkpoint (never blocks a writer) every interval. Durability is the
 * commit's WAL fsync, unchanged.
 *
 * @module
 */

import type { CheckpointStart } from "./sqlite_checkpoint_worker.ts";

/** How long `stop()` waits for the worker's last checkpoint. */
const STOP_WAIT_MS = 3000;

/** A running checkpoint worker. */
export class SqliteCheckpointer {
  #worker: Worker;
  #stopped = false;

  /**
   * Start checkpointing the database at `path` every `intervalMs`.
   * `onError` hears a failure of the worker (it then stops), so the caller
   * can turn automatic checkpoints back on.
   */
  constructor(
    path: string,
    intervalMs: number,
    onError: (message: string) => void,
  ) {
    this.#worker = new Worker(
      new URL("./sqlite_checkpoint_worker.ts", import.meta.url),
      { type: "module" },
    );
    const fail = (message: string) => {
      if (this.#stopped) return;
      this.#stopped = true;
      this.#worker.terminate();
      onError(message);
    };
    this.#worker.addEventListener("message", (e) => {
      const d = (e as MessageEvent).data;
      if (d && typeof d === "object" && "error" in d) fail(String(d.error));
    });
    this.#worker.addEventListener("error", (e) => {
      e.preventDefault();
      fail((e as ErrorEvent).message);
    });
    const start: CheckpointStart = { path, intervalMs };
    this.#worker.postMessage(start);
  }

  /** Run a last checkpoint, close the worker's connection and end it. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = setTimeout(resolve, STOP_WAIT_MS);
    this.#worker.addEventListener("message", (e) => {
      if ((e as MessageEvent).data === "stopped") resolve();
    });
    this.#worker.postMessage("stop");
    await promise;
    clearTimeout(timer);
    this.#worker.terminate();
  }
}
