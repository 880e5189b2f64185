/**
 * One daemon per SQLite file. SQLite keeps the data safe for several
 * processes, but goippy's queues are not shared between daemons on one file
 * (a line's owner, the file's single writer), so a second daemon must refuse
 * to start. The lock is an exclusive `flock` on a file beside the database,
 * held for the daemon's life and dropped by the kernel when the process
 * ends, however it ends. The CLI does not take it: `--send`, `--list` and
 * the rest work while the daemon runs.
 *
 * @module
 */

/** A held lock. */
export interface DaemonLock {
  /** Release it (at shutdown). */
  release(): void;
}

/** The lock file beside the database `path`. */
export function lockPath(path: string): string {
  return `${path}.daemon-lock`;
}

/**
 * Take the daemon lock of the SQLite file at `path`; throws with one line
 * naming the file when another daemon holds it.
 */
export async function lockSqliteForDaemon(path: string): Promise<DaemonLock> {
  if (path === ":memory:") return { release() {} };
  let file: Deno.FsFile;
  try {
    file = await Deno.open(lockPath(path), { create: true, write: true });
  } catch {
    // A directory that is missing or not writable: opening the database
    // fails next, and explains why better than this would.
    return { release() {} };
  }
  let locked = false;
  try {
    locked = await file.tryLock(true);
  } finally {
    if (!locked) file.close();
  }
  if (!locked) {
    throw new Error(
      `another goippy daemon is already running on the SQLite database ` +
        `${path} (lock ${lockPath(path)}); SQLite serves one daemon — ` +
        "stop the other one, or use MySQL/MariaDB for several instances",
    );
  }
  return {
    release() {
      try {
        file.close();
      } catch {
        // already closed
      }
    },
  };
}
