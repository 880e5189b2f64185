/**
 * Open-loop pacing: fire events at a fixed rate whatever the answers do.
 *
 * @module
 */

/**
 * How many of `total` events are due `elapsedMs` after the start at `rate`
 * per second (event 0 is due at once). Pure.
 */
export function dueCount(
  elapsedMs: number,
  rate: number,
  total: number,
): number {
  if (!(rate > 0) || elapsedMs < 0) return Math.min(total, 1);
  return Math.min(total, Math.floor((elapsedMs * rate) / 1000) + 1);
}

/** What a paced run did. */
export interface PaceResult {
  /** Events fired. */
  fired: number;
  /** ms from the start to the last event. */
  elapsedMs: number;
  /** fired per second over the run (the offered rate achieved). */
  achievedRate: number;
}

/**
 * Call `fire(i)` for i = 0 … `total`-1 at `rate` per second without waiting
 * for anything `fire` starts. Gives up after `maxMs` (default: 3 × the
 * planned duration + 1 s).
 */
export async function paced(
  rate: number,
  total: number,
  fire: (i: number) => void,
  maxMs = (3 * total * 1000) / rate + 1000,
): Promise<PaceResult> {
  const start = performance.now();
  let i = 0;
  let last = start;
  while (i < total) {
    const now = performance.now();
    if (now - start > maxMs) break;
    const due = dueCount(now - start, rate, total);
    while (i < due) fire(i++);
    last = now;
    if (i < total) await new Promise((r) => setTimeout(r, 1));
  }
  const elapsedMs = last - start;
  const spanS = Math.max(elapsedMs / 1000, (total - 1) / rate, 1e-3);
  return { fired: i, elapsedMs, achievedRate: i <= 1 ? 0 : (i - 1) / spanS };
}
