import { match, rejects } from "node:assert/strict";
import { lockSqliteForDaemon } from "./sqlite_lock.ts";

Deno.test("a second daemon lock on one SQLite file is refused until released", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/goippy.sqlite3`;
  try {
    const first = await lockSqliteForDaemon(path);
    await rejects(
      () => lockSqliteForDaemon(path),
      (err: Error) => {
        match(err.message, /another goippy daemon is already running/);
        match(err.message, new RegExp(path.replaceAll(".", "\\.")));
        return true;
      },
    );
    first.release();
    (await lockSqliteForDaemon(path)).release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
