/**
 * The daemon's spool file, opened at start (or none: SPOOL_MAX_MB 0).
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Logger } from "../log.ts";
import { spoolPath } from "./path.ts";
import { SpoolFile } from "./spool_file.ts";

/** Open the spool the config names; null when it is off. Throws when it cannot be opened. */
export function openSpool(config: Config, log: Logger): SpoolFile | null {
  const path = spoolPath(config);
  if (path === null) {
    log.info("spool off (SPOOL_MAX_MB = 0): a store outage means no ack");
    return null;
  }
  try {
    return new SpoolFile(path, { maxBytes: config.SPOOL_MAX_MB * 1024 * 1024 });
  } catch (err) {
    throw new Error(
      `cannot open the spool SPOOL_PATH ${path}: ${(err as Error).message}`,
    );
  }
}
