/**
 * The SQLite checkpointer's worker: its own connection to the database file,
 * copying the WAL back into the file with a PASSIVE checkpoint (never waits
 * for, nor blocks, a writer) every `intervalMs`, off the daemon's event
 * loop. Messages in: `{ path, intervalMs }` to start, `"stop"` to close.
 * Messages out: `{ ok: true }` once open, `{ error }` on a failure,
 * `"stopped"` when closed.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { DatabaseSync } from "node:sqlite";

/** What the worker is asked to do. */
export interface CheckpointStart {
  path: string;
  intervalMs: number;
}

function start(msg: CheckpointStart): () => void {
  const db = new DatabaseSync(msg.path);
  // A checkpoint that meets a writer's lock simply copies less this time.
  db.exec("PRAGMA busy_timeout = 50");
  const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  const timer = setInterval(() => {
    try {
      checkpoint.get();
    } catch (err) {
      if (!/database is locked|SQLITE_BUSY/.test(String(err))) {
        self.postMessage({ error: String(err) });
      }
    }
  }, msg.intervalMs);
  return () => {
    clearInterval(timer);
    try {
      // One last copy so the file is complete when the daemon stops.
      checkpoint.get();
    } catch {
      // The next open replays the WAL anyway.
    }
    db.close();
  };
}

/** Answer the daemon's messages (one database per worker). */
function serve(): void {
  let stop: (() => void) | null = null;
  self.onmessage = (e: MessageEvent<CheckpointStart | "stop">) => {
    if (e.data === "stop") {
      stop?.();
      stop = null;
      self.postMessage("stopped");
      return;
    }
    try {
      stop = start(e.data);
      self.postMessage({ ok: true });
    } catch (err) {
      self.postMessage({ error: String(err) });
    }
  };
}

serve();
