/**
 * The one error a bad config produces.
 *
 * @module
 */

/** A config problem; the message names the key and, when known, its line. */
export class ConfigError extends Error {
  /** The offending key ("" when the problem is not about one key). */
  readonly key: string;
  /** 1-based line in the config file, or 0 when unknown. */
  readonly line: number;

  constructor(message: string, key = "", line = 0) {
    super(message);
    this.name = "ConfigError";
    this.key = key;
    this.line = line;
  }
}
