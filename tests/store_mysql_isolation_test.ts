/**
 * The MySQL driver's isolation levels on a real MariaDB: a transaction that
 * asks for READ COMMITTED runs at it (the RECEIVE lock order relies on no gap
 * locks), every other one at the server's default, whichever ran before on
 * the pools' connections.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { MysqlDriver } from "../src/store/mysql_driver.ts";
import { MARIADB_MISSING, startMariaDb } from "./support/mariadb.ts";

Deno.test("MysqlDriver: READ COMMITTED where asked, the server's default elsewhere", async () => {
  const maria = await startMariaDb();
  if (!maria) {
    console.log(MARIADB_MISSING);
    return;
  }
  const d = new MysqlDriver({ ...maria, connectionLimit: 2 });
  try {
    const level = async (readCommitted: boolean) =>
      String(
        (await d.transaction(
          (c) => c.all("SELECT @@tx_isolation AS level"),
          { readCommitted },
        ))[0].level,
      );
    const seen: string[] = [];
    // Interleaved and concurrent, so each pool hands out reused connections.
    for (let round = 0; round < 3; round++) {
      seen.push(
        ...await Promise.all([
          level(true),
          level(false),
          level(true),
          level(false),
        ]),
      );
    }
    assertEquals(
      seen,
      Array(3).fill([
        "READ-COMMITTED",
        "REPEATABLE-READ",
        "READ-COMMITTED",
        "REPEATABLE-READ",
      ]).flat(),
    );
    const plain = await d.all("SELECT @@tx_isolation AS level");
    assertEquals(String(plain[0].level), "REPEATABLE-READ");
  } finally {
    await d.close();
    await maria.stop();
  }
});
