/**
 * `deno run -A bench/probe_receive_statements.ts`: what one RECEIVE batch
 * costs on MariaDB, independent of the machine's load: statements executed
 * per stored SMS (the server's `Com_stmt_execute`), round trips per SMS
 * (`Questions`: also BEGIN, COMMIT, SET and prepares) and SMS/s for one
 * writer, at batch sizes 1, 13, 20 and 100, 2,000 SMS each over 8 lines.
 *
 * @module
 */

import mysql from "mysql2/promise";
import { openMysqlStore } from "../src/store/mysql.ts";
import type { IncomingSms } from "../src/store/types.ts";
import { startMariaDb } from "../tests/support/mariadb.ts";
import { BENCH_MARIADB_ARGS } from "./mariadb_server.ts";

const TOTAL = 2000;

function sms(line: number, n: number): IncomingSms {
  const body = `probe ${n}`;
  return {
    goipId: `probe${line}`,
    ext: `${line}`,
    n,
    srcnum: "+3725550000",
    body,
    delivery: {
      kind: "chat",
      fromJid: "+3725550000@sms.example.org",
      toJid: `${line}@example.org`,
      body,
      refId: "",
      goipId: `probe${line}`,
    },
  };
}

if (import.meta.main) {
  const maria = await startMariaDb({ serverArgs: BENCH_MARIADB_ARGS });
  if (!maria) throw new Error("needs mariadbd");
  try {
    const conn = {
      host: maria.host,
      port: maria.port,
      user: maria.user,
      password: maria.password,
      database: await maria.createDatabase("probe"),
    };
    const store = await openMysqlStore(conn);
    await store.migrate();
    const counters = async () => {
      const c = await mysql.createConnection(conn);
      try {
        const [rows] = await c.query(
          "SHOW GLOBAL STATUS WHERE Variable_name IN " +
            "('Com_stmt_execute', 'Questions')",
        );
        const v = new Map(
          (rows as { Variable_name: string; Value: string }[])
            .map((r) => [r.Variable_name, Number(r.Value)]),
        );
        return { executed: v.get("Com_stmt_execute")!, q: v.get("Questions")! };
      } finally {
        await c.end();
      }
    };
    let n = 0;
    for (const per of [1, 13, 20, 100]) {
      const batches = Math.ceil(TOTAL / per);
      const before = await counters();
      const t0 = performance.now();
      for (let b = 0; b < batches; b++) {
        const list = Array.from({ length: per }, (_, i) => sms(i % 8, ++n));
        await store.storeIncomingBatch(list, 86_400_000, Date.now());
      }
      const ms = performance.now() - t0;
      const after = await counters();
      const per1 = (x: number) => (x / (batches * per)).toFixed(2);
      console.log(
        `batch ${per}: ${per1(after.executed - before.executed)} statements ` +
          `and ${per1(after.q - before.q - 1)} round trips per SMS, ` +
          `${Math.round(batches * per / ms * 1000)} SMS/s`,
      );
    }
    await store.close();
  } finally {
    await maria.stop();
  }
}
