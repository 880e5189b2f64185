/**
 * How often the inbound side writes and checks line state, in one place.
 *
 * A keepalive that changes nothing but the time is written at most every
 * {@linkcode lineSaveEveryMs} per line, and such routine writes wait up to
 * {@linkcode lineFlushMs} to be written together. The stored "last seen"
 * therefore lags by at most 15 s (3/8 of GOIP_OFFLINE_AFTER when that is
 * shorter), well inside the offline limit by which the CLI, the sender and
 * the metrics judge a line (`lineOnline`).
 *
 * @module
 */

/** Routine line-state refreshes are written at most this often per line. */
export const LINE_SAVE_EVERY_MS = 10_000;

/** Routine line-state refreshes are collected this long (at most). */
export const LINE_FLUSH_MS = 5000;

/** How often the line watch looks for lines gone silent. */
export const LINE_CHECK_EVERY_MS = 1000;

/** How often the gateway cache asks whether gateways changed. */
export const GATEWAY_CHECK_EVERY_MS = 2000;

/**
 * How often the gateway cache refreshes every cached gateway in one walk
 * over the fleet: half its longest age, so a busy line's entry never
 * expires into a look-up of its own.
 */
export const GATEWAY_SWEEP_EVERY_MS = 30_000;

/**
 * How often a keepalive that changes nothing but the time is written:
 * {@linkcode LINE_SAVE_EVERY_MS}, or a quarter of GOIP_OFFLINE_AFTER when
 * that is shorter.
 */
export function lineSaveEveryMs(offlineAfterS: number): number {
  return Math.min(LINE_SAVE_EVERY_MS, offlineAfterS * 250);
}

/**
 * How long routine refreshes wait to be written together:
 * {@linkcode LINE_FLUSH_MS}, or an eighth of GOIP_OFFLINE_AFTER when that is
 * shorter.
 */
export function lineFlushMs(offlineAfterS: number): number {
  return Math.min(LINE_FLUSH_MS, offlineAfterS * 125);
}
