/**
 * Rows left `sending` by an instance that is gone: this one before its
 * restart, or another one seen dead. Such a row may or may not have reached
 * the GoIP, so it becomes `uncertain` (reported once, never resent). Inbox
 * rows a dead instance was delivering over XMPP are released to go out
 * again. Kept apart from the driver: it touches rows no worker of this
 * instance holds.
 *
 * @module
 */

import type { DriverContext } from "./context.ts";
import { interruptedText } from "../notices/mod.ts";
import { deadInstances } from "../instances/liveness.ts";
import type { OutboxItem } from "../store/types.ts";
import { finalNotice, reportedFinal } from "./report.ts";

/**
 * At start: this instance's own rows (same id as before the restart) and
 * rows from before claims were recorded become uncertain. Another live
 * instance may be waiting for the GoIP's answer to one of its rows right
 * now, so its rows are left alone.
 */
export async function markOwnInterrupted(deps: DriverContext): Promise<void> {
  for (const item of await markUncertain(deps, [deps.instanceId, ""])) {
    await reported(deps, item);
  }
}

/** `sending` rows of `claimers` become uncertain, each with its user's notice. */
function markUncertain(
  deps: DriverContext,
  claimers: string[],
): Promise<OutboxItem[]> {
  return deps.store.markInterruptedUncertain(
    claimers,
    (item) => interruptedText(item.kind),
    (item) => finalNotice(item, interruptedText(item.kind)),
  );
}

function reported(deps: DriverContext, item: OutboxItem): Promise<void> {
  const text = interruptedText(item.kind);
  const told = finalNotice(item, text) !== undefined;
  return reportedFinal(deps, item, "uncertain", text, told);
}

/** Releases the rows of instances seen dead, once per death. */
export class DeadReaper {
  #d: DriverContext;
  /** Dead instances already released, with the heartbeat they died with. */
  #reaped = new Map<string, number>();

  constructor(deps: DriverContext) {
    this.#d = deps;
  }

  /**
   * Rows `sending` under an instance seen dead (heartbeat older than
   * INSTANCE_DEAD_AFTER, or stopped) become uncertain, reported once (the
   * move is a compare-and-set), never resent.
   */
  async reap(): Promise<void> {
    const { store, config } = this.#d;
    const rows = await store.instances();
    const beats = new Map(rows.map((i) => [i.instanceId, i.heartbeatMs]));
    // An instance released once holds nothing more until it beats again.
    const dead = deadInstances(
      rows,
      this.#d.instanceId,
      this.#d.now(),
      config().INSTANCE_DEAD_AFTER,
    ).filter((id) => this.#reaped.get(id) !== beats.get(id));
    if (dead.length === 0 || this.#d.stopped()) return;
    // Inbox rows a dead instance was delivering go out again (once more:
    // the server may have had them). Done here because every instance runs
    // the outbound driver, whichever holds the XMPP side.
    const released = await store.releaseInboxClaims(dead);
    if (released > 0) {
      this.#d.log.info(
        `outbound: ${released} inbox row(s) of dead instance(s) released`,
      );
      this.#d.hub.emit("inbox", undefined);
    }
    for (const item of await markUncertain(this.#d, dead)) {
      this.#d.log.info(
        `outbound: #${item.id} was sending on instance ${item.claimedBy}, ` +
          "which is dead: uncertain",
      );
      await reported(this.#d, item);
    }
    for (const id of dead) this.#reaped.set(id, beats.get(id) ?? 0);
  }
}
