/**
 * The benchmark's MariaDB: InnoDB sized as a stock MariaDB install sizes it
 (the tests' server is shrunk to start fast). A burst of RECEIVEs fills the
 * tests' 8 MB redo log within seconds, and InnoDB then holds writes until a
 * checkpoint has flushed pages: a property of that test configuration, not
 * of goippy. Every commit still waits for its fsync.
 *
 * @module
 */

/** Server options of the benchmark's MariaDB (MariaDB 10.11's defaults). */
export const BENCH_MARIADB_ARGS: string[] = [
  "--innodb-buffer-pool-size=128M",
  "--innodb-log-file-size=96M",
  "--innodb-flush-log-at-trx-commit=1",
];
