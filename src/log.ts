/**
 * Logging to stdout. Under systemd (`JOURNAL_STREAM` set) lines carry
 * syslog-style level prefixes (`<3>` … `<7>`) and no timestamp, so journald
 * keeps the levels; elsewhere they carry an ISO timestamp and the level name.
 * Passwords are masked in everything logged through {@linkcode maskSecrets}.
 *
 * @module
 */

import type { LogLevel } from "./config/types.ts";

const ORDER: Record<LogLevel, number> = {
  error: 0,
  warn: 1,
  info: 2,
  debug: 3,
};
const SYSLOG: Record<LogLevel, number> = {
  error: 3,
  warn: 4,
  info: 6,
  debug: 7,
};

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  level: LogLevel;
  /** journald style (level prefixes, no timestamps). */
  journald: boolean;
  /** Where lines go; defaults to stdout. */
  write?: (line: string) => void;
}

/** A leveled logger. */
export interface Logger {
  level: LogLevel;
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
  enabled(level: LogLevel): boolean;
}

/** Replace the values of `pass:`/`password:` pieces (and `PASSWORD <sid> <pw>` etc.) by `***`. */
export function maskSecrets(text: string): string {
  return text.replace(/\b(pass|password)(:)([^;\s]*)/gi, "$1$2***");
}

/** Make a logger; the level can be changed later by assigning `level`. */
export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ??
    ((line: string) => console.log(line));
  const logger: Logger = {
    level: opts.level,
    enabled: (l) => ORDER[l] <= ORDER[logger.level],
    error: (m) => emit("error", m),
    warn: (m) => emit("warn", m),
    info: (m) => emit("info", m),
    debug: (m) => emit("debug", m),
  };
  function emit(l: LogLevel, msg: string) {
    if (!logger.enabled(l)) return;
    const text = maskSecrets(msg);
    write(
      opts.journald
        ? `<${SYSLOG[l]}>${text}`
        : `${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} ${text}`,
    );
  }
  return logger;
}
