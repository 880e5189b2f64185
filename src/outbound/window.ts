/**
 * A bound on attempts starting together across lines. Each attempt makes
 * its GoIP answer within milliseconds (`WAIT`, `OK`); a thousand lines
 * started at once answer with thousands of datagrams in one burst, more
 * than the socket's receive buffer holds, and the kernel drops the rest (an
 * `OK` lost that way leaves its line waiting out the attempt). A slot is
 * held until the GoIP has given its last answer of the attempt (its outcome
 * is then written without the slot), but at most `holdMs`: a silent GoIP
 * must not keep the other lines waiting.
 *
 * @module
 */

/** Options of {@linkcode AttemptWindow}. */
export interface AttemptWindowOptions {
  /** Attempts holding a slot at once. */
  size: number;
  /** A slot is freed after this long even if its attempt goes on. */
  holdMs: number;
}

/** Slots for attempts, handed out in the order asked. */
export class AttemptWindow {
  #opts: AttemptWindowOptions;
  #free: number;
  #waiting: (() => void)[] = [];
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(opts: AttemptWindowOptions) {
    this.#opts = opts;
    this.#free = opts.size;
  }

  /**
   * Wait for a slot; resolves with its release (calling it again does
   * nothing). After {@linkcode close} it resolves at once.
   */
  async acquire(): Promise<() => void> {
    if (this.#closed) return () => {};
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    if (this.#closed) return () => {};
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      this.#timers.delete(timer);
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter.
      if (next) next();
      else this.#free++;
    };
    const timer = setTimeout(release, this.#opts.holdMs);
    this.#timers.add(timer);
    return release;
  }

  /** Let every waiter go and clear the timers (the driver stops). */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#waiting.splice(0)) w();
  }
}
