/**
 * goippy's version (kept equal to deno.json's `version`; a test checks).
 *
 * @module
 */

/** The release, e.g. `0.1.0`. */
export const VERSION = "0.1.0";

/** The store dialects this build speaks. */
export const DIALECTS: readonly string[] = ["sqlite", "mysql"];
