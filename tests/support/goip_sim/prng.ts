/**
 * A tiny seeded PRNG (mulberry32) for reproducible fault injection.
 *
 * @module
 */

/** A function returning numbers in [0, 1), the same sequence for a seed. */
export type Random = () => number;

/** A seeded generator: equal seeds give equal sequences. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A drop decision for one direction: `true` means "lose this datagram".
 * A rate of 0 never drops and never consumes randomness.
 */
export function dropper(rate: number, seed: number): () => boolean {
  if (!(rate > 0)) return () => false;
  const random = seededRandom(seed);
  return () => random() < rate;
}
