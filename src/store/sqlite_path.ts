/**
 * Whether goippy can create and write the SQLite file at a path, asked
 * without creating anything (for `--check`, and to explain a failed open).
 *
 * @module
 */

import { dirname, resolve } from "node:path";

/**
 * What stops goippy from using the SQLite file at `path` (its directory is
 * missing, not a directory, or not writable; the file not writable), as one
 * sentence naming the fix, to follow "SQLITE_PATH <path>: "; `null` when
 * nothing does. Creates nothing.
 */
export async function sqlitePathProblem(path: string): Promise<string | null> {
  if (path === ":memory:") return null;
  const dir = dirname(resolve(path));
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return `the directory ${dir} does not exist: create it ` +
        `(mkdir -p ${dir}, owned by the user goippy runs as) or set SQLITE_PATH`;
    }
    return `cannot look at the directory ${dir}: ${(err as Error).message}; ` +
      `set SQLITE_PATH`;
  }
  if (!info.isDirectory) {
    return `${dir} is not a directory; set SQLITE_PATH`;
  }
  // The journal/WAL files are created beside the database, so the directory
  // itself must be writable, not just the file.
  if (!await writable(info)) {
    return `the directory ${dir} is not writable by this user ` +
      `(uid ${Deno.uid()}): chown it to the user goippy runs as or set SQLITE_PATH`;
  }
  try {
    const file = await Deno.stat(path);
    if (!file.isFile) return "it is not a file; set SQLITE_PATH";
    if (!await writable(file)) {
      return `the file is not writable by this user (uid ${Deno.uid()}): ` +
        `chown it to the user goippy runs as`;
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      return `cannot look at the file: ${(err as Error).message}`;
    }
  }
  return null;
}

/** Write permission by the mode bits for this process's user and groups. */
async function writable(info: Deno.FileInfo): Promise<boolean> {
  const uid = Deno.uid();
  if (uid === 0 || info.mode === null || uid === null) return true;
  if (info.uid === uid) return (info.mode & 0o200) !== 0;
  if ((await groups()).includes(info.gid ?? -1)) {
    return (info.mode & 0o020) !== 0;
  }
  return (info.mode & 0o002) !== 0;
}

/** The process's group ids (supplementary ones from /proc on Linux). */
async function groups(): Promise<number[]> {
  const own = [Deno.gid() ?? -1];
  try {
    const status = await Deno.readTextFile("/proc/self/status");
    const line = /^Groups:(.*)$/m.exec(status)?.[1] ?? "";
    return own.concat(line.trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return own;
  }
}
