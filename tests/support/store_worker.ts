/**
 * A second process using the store, for cross-process tests (the CLI next to
 * the daemon). Argument: JSON `{ sqlite?: path, mysql?: MysqlOptions, op,
 * count, goipId }`; prints a JSON array of results on stdout.
 *
 * @module
 */

import { type MysqlOptions, openMysqlStore } from "../../src/store/mysql.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";

/** What the worker is told to do. */
export interface WorkerJob {
  sqlite?: string;
  mysql?: MysqlOptions;
  op: "sendids" | "receive";
  count: number;
  goipId: string;
  /** Epoch ms to begin at (after opening), so several workers overlap. */
  startAt?: number;
}

if (import.meta.main) {
  const job: WorkerJob = JSON.parse(Deno.args[0]);
  const store = job.sqlite
    ? openSqliteStore(job.sqlite)
    : await openMysqlStore(job.mysql!);
  const results: (number | string)[] = [];
  try {
    await store.migrate();
    const wait = (job.startAt ?? 0) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let i = 0; i < job.count; i++) {
      if (job.op === "sendids") {
        results.push(await store.nextSendId(job.goipId));
      } else {
        results.push(
          await store.storeIncomingSms({
            goipId: job.goipId,
            ext: "2001",
            n: i,
            srcnum: "+1",
            body: `sms ${i}`,
            delivery: {
              kind: "chat",
              fromJid: "+1@sms.example.org",
              toJid: "2001@example.org",
              body: `sms ${i}`,
              refId: "",
              goipId: job.goipId,
            },
          }, 600_000),
        );
      }
    }
  } finally {
    await store.close();
  }
  console.log(JSON.stringify(results));
}
