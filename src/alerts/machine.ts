/**
 * When an alert is due: the debounce of line alerts (a line must stay
 * offline ALERT_LINE_AFTER seconds before the offline alert, and "back
 * online" follows only an offline alert, so a flapping line makes no storm),
 * one auth alert per source per hour, one stuck alert per stuck item. Pure:
 * times come in as arguments.
 *
 * @module
 */

/** How often the same source may cause an auth alert. */
export const AUTH_REPEAT_MS = 3_600_000;

/** The alert kinds, as named in ALERTS. */
export type AlertKind = "line" | "auth" | "stuck";

/** A line that went offline and is not yet back. */
export interface OfflineLine {
  goipId: string;
  ext: string;
  sinceMs: number;
}

interface LineEntry extends OfflineLine {
  alerted: boolean;
}

/** The memory of what was alerted. */
export class AlertMachine {
  #offline = new Map<string, LineEntry>();
  #authSent = new Map<string, number>();
  #stuckSent = new Map<string, number>();

  /** The line went silent at `atMs` (repeats keep the first time). */
  lineOffline(goipId: string, ext: string, atMs: number): void {
    if (this.#offline.has(goipId)) return;
    this.#offline.set(goipId, { goipId, ext, sinceMs: atMs, alerted: false });
  }

  /**
   * The line is back at `atMs`: how long it was offline when the admins
   * were told it was (they must hear it is back), else undefined.
   */
  lineOnline(goipId: string, atMs: number): number | undefined {
    const e = this.#offline.get(goipId);
    this.#offline.delete(goipId);
    return e?.alerted ? atMs - e.sinceMs : undefined;
  }

  /** Lines offline for at least `afterMs` and not yet alerted; marks them. */
  dueOffline(nowMs: number, afterMs: number): OfflineLine[] {
    const due: OfflineLine[] = [];
    for (const e of this.#offline.values()) {
      if (e.alerted || nowMs - e.sinceMs < afterMs) continue;
      e.alerted = true;
      due.push({ goipId: e.goipId, ext: e.ext, sinceMs: e.sinceMs });
    }
    return due;
  }

  /** Whether a block of `ip` at `nowMs` should be alerted (once an hour). */
  authBlocked(ip: string, nowMs: number): boolean {
    const last = this.#authSent.get(ip);
    if (last !== undefined && nowMs - last < AUTH_REPEAT_MS) return false;
    this.#authSent.set(ip, nowMs);
    for (const [k, t] of this.#authSent) {
      if (nowMs - t >= AUTH_REPEAT_MS) this.#authSent.delete(k);
    }
    return true;
  }

  /**
   * The oldest queued item of each online line (`oldest`: goipId → item id
   * and age); returns the lines whose item is stuck now and was not alerted.
   * A line whose oldest item changed or left the list is forgotten.
   */
  stuck(
    oldest: Map<string, { itemId: number; waitedMs: number }>,
    stuckMs: number,
  ): string[] {
    for (const [goipId, itemId] of this.#stuckSent) {
      if (oldest.get(goipId)?.itemId !== itemId) {
        this.#stuckSent.delete(goipId);
      }
    }
    const due: string[] = [];
    for (const [goipId, o] of oldest) {
      if (o.waitedMs < stuckMs || this.#stuckSent.has(goipId)) continue;
      this.#stuckSent.set(goipId, o.itemId);
      due.push(goipId);
    }
    return due;
  }
}
