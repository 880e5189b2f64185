/**
 * PLACEHOLDER written by the config/CLI engineer so `runCli` compiles; the
 * GoIP engineer's real daemon replaces this whole file.
 *
 * @module
 */

import type { Config } from "./config/types.ts";
import type { Logger } from "./log.ts";

/** Run the daemon until a signal stops it; resolves with the exit code. */
export function runDaemon(
  _config: Config,
  _log: Logger,
  _opts?: { configPath?: string },
): Promise<number> {
  return Promise.reject(new Error("runDaemon: not implemented yet"));
}
