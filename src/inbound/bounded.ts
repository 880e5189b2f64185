/**
 * A store call with a time bound: the inbound side answers a GoIP within its
 * resend interval even when the store hangs.
 *
 * @module
 */

/** A store call slower than this is given up (for the spool, or the cache). */
export const STORE_BOUND_MS = 2000;

/**
 * `p`, or a rejection after `ms`. `p` itself carries on and may still
 * settle later (its outcome is then ignored).
 */
export function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from the store within ${ms} ms`)),
      ms,
    );
  });
  p.catch(() => {});
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
