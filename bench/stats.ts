/**
 * Summary statistics of latency samples: nearest-rank percentiles, medians.
 * Pure functions.
 *
 * @module
 */

/** Percentiles of a sample set, in the samples' unit (null when empty). */
export interface Summary {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * Nearest-rank percentile `q` (0 < q ≤ 100) of `samples` (any order): the
 * smallest value with at least q % of the samples at or below it. Null for
 * no samples; throws for a `q` outside (0, 100].
 */
export function percentile(
  samples: readonly number[],
  q: number,
): number | null {
  if (!(q > 0 && q <= 100)) {
    throw new RangeError(`percentile must be in (0, 100], got ${q}`);
  }
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return percentileOfSorted(sorted, q);
}

/** {@linkcode percentile} of samples already sorted ascending. */
export function percentileOfSorted(
  sorted: readonly number[],
  q: number,
): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The median (mean of the two middle values for an even count); null when empty. */
export function median(samples: readonly number[]): number | null {
  if (samples.length === 0) return null;
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Count, p50, p99 and max of `samples`. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1],
  };
}

/** `a / b`, or null when either is missing or `b` is not positive. */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !(b > 0)) return null;
  return a / b;
}

/** Round to `digits` decimals (null stays null). */
export function round(x: number | null, digits = 2): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
