/**
 * Two processes on one database (the CLI next to the running daemon):
 * sendids stay unique and a RECEIVE is stored once, on SQLite and MariaDB.
 */

import assert from "node:assert/strict";
import { goippyRunFlags } from "../scripts/flags.ts";
import type { Store } from "../src/store/types.ts";
import { openMysqlStore } from "../src/store/mysql.ts";
import { openSqliteStore } from "../src/store/sqlite.ts";
import {
  haveMariaDb,
  MARIADB_MISSING,
  startMariaDb,
} from "./support/mariadb.ts";
import type { WorkerJob } from "./support/store_worker.ts";

const WORKER = new URL("./support/store_worker.ts", import.meta.url).pathname;

async function worker(job: WorkerJob): Promise<(number | string)[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...await goippyRunFlags(), WORKER, JSON.stringify(job)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `worker failed: ${err}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Run the same job in this process and in two child processes at once. */
async function together(
  store: Store,
  target: Omit<WorkerJob, "op" | "count" | "goipId">,
  op: WorkerJob["op"],
  count: number,
) {
  // All three begin at the same moment, once the children have started.
  const startAt = Date.now() + 2000;
  const job = { ...target, op, count, goipId: "goippy_2001", startAt };
  const mine = (async () => {
    await new Promise((r) => setTimeout(r, startAt - Date.now()));
    const r: (number | string)[] = [];
    for (let i = 0; i < count; i++) {
      r.push(
        op === "sendids" ? await store.nextSendId("goippy_2001") : await store
          .storeIncomingSms({
            goipId: "goippy_2001",
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
              goipId: "goippy_2001",
            },
          }, 600_000),
      );
    }
    return r;
  })();
  return (await Promise.all([mine, worker(job), worker(job)])).flat();
}

async function check(
  store: Store,
  target: Omit<WorkerJob, "op" | "count" | "goipId">,
) {
  await store.migrate();
  const ids = await together(store, target, "sendids", 300);
  assert.equal(ids.length, 900);
  assert.equal(new Set(ids).size, 900, "every sendid is unique");
  const stored = await together(store, target, "receive", 150);
  assert.equal(stored.filter((r) => r === "stored").length, 150);
  assert.equal(stored.filter((r) => r === "duplicate").length, 300);
  assert.equal((await store.queueDepths()).inboxPending, 150);
}

Deno.test("Store across processes [sqlite]: unique sendids, RECEIVE stored once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "goippy-proc-" });
  const path = `${dir}/shared.sqlite3`;
  const store = openSqliteStore(path);
  try {
    await check(store, { sqlite: path });
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

const missing = !haveMariaDb() && !Deno.env.get("CI");
if (missing) console.warn(`Store across processes [mysql]: ${MARIADB_MISSING}`);

Deno.test({
  name: "Store across processes [mysql]: unique sendids, RECEIVE stored once",
  ignore: missing,
  async fn() {
    const db = await startMariaDb();
    if (!db) throw new Error(MARIADB_MISSING);
    const { host, port, user, password, database } = db;
    const opts = { host, port, user, password, database };
    const store = await openMysqlStore(opts);
    try {
      await check(store, { mysql: opts });
    } finally {
      await store.close();
      await db.stop();
    }
  },
});
