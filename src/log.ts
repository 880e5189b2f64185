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

/** GoIP commands that carry the password, and how to hide it. */
const COMMAND_MASKS: [RegExp, string][] = [
  // SMS <sid> <telid> <pw> <number> <text>
  [/\bSMS (-?\d+) (\d+) \S+/g, "SMS $1 $2 ***"],
  // PASSWORD <sid> <pw> (the device's `PASSWORD <sid>` has no password)
  [/\bPASSWORD (-?\d+) [^\s]+/g, "PASSWORD $1 ***"],
  // USSD <sid> <pw> <code>, USSDEXIT <sid> <pw>
  [/\bUSSD (-?\d+) \S+ ([0-9*#+]+)(?=$|[\s"'])/g, "USSD $1 *** $2"],
  [/\bUSSDEXIT (-?\d+) \S+/g, "USSDEXIT $1 ***"],
  // GSM <sid> <pw>, CF <sid> <pw> <reason> <mode> <num> <ftime>
  [/\b(GSM|CF) (-?\d+) (?!OK\b)[^\s;]+/g, "$1 $2 ***"],
  // <control> <sid> [value] <pw> (value before the password)
  [
    /\b((?:get|set|svr)_[a-z_]+) (-?\d+)((?: [^\s]+)?) [^\s]+(?=$|[\s"'])/g,
    "$1 $2$3 ***",
  ],
];

/**
 * Hide passwords: the values of `pass:`/`password:` pieces of GoIP packets,
 * and the password token of the commands sent to a GoIP (`SMS`, `PASSWORD`,
 * `USSD`, `USSDEXIT`, `GSM`, `CF`, `get_*`/`set_*`/`svr_*`).
 */
export function maskSecrets(text: string): string {
  let out = text.replace(/\b(pass|password)(:)([^;\s]*)/gi, "$1$2***");
  for (const [re, to] of COMMAND_MASKS) out = out.replace(re, to);
  return out;
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
