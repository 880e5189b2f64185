/**
 * The tests' one way to wait for something that is polled rather than
 * announced: a store row, a connection state, a counter.
 *
 * @module
 */

/** What was awaited, for the timeout message; a function is asked only then. */
export type Waited = string | (() => string | Promise<string>);

/**
 * Polls `check` every `intervalMs` until it is true; throws after
 * `timeoutMs` with a message naming `what` was awaited.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: Waited,
  intervalMs = 50,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) {
      const named = typeof what === "string" ? what : await what();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${named}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
