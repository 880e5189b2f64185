/**
 * Where admin commands write: stdout for results, stderr for refusals and
 * notes. Passed in so tests can capture it.
 *
 * @module
 */

/** Output channels of a command. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** The process's stdout/stderr. */
export function consoleIo(): CliIo {
  return {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  };
}
