/**
 * Claiming a line's next queued item for an attempt: the row becomes
 * `sending` under this instance with its sendid before the first datagram,
 * so an attempt cut short by a crash is found later and reported as
 * uncertain (never resent). The claim is a compare-and-set: another
 * instance or the user's retraction may take the row first.
 *
 * Lines that ask within the same turn of the event loop (or while a batch
 * is being written) are claimed together in one transaction
 * ({@linkcode Store.claimHeads}); each line still has at most one item in
 * flight, since its worker asks again only after its attempt ended.
 *
 * @module
 */

import type { ClaimRequest, OutboxItem } from "../store/types.ts";
import type { DriverContext } from "./context.ts";
import { GroupCommit } from "../store/group_commit.ts";

/** A claimed item and the sendid it goes out with. */
export interface Claimed {
  item: OutboxItem;
  sendid: number;
}

/** What a claim gives: see {@linkcode claimNext}. */
export type ClaimOutcome = Claimed | "again" | undefined;

/** Claims of many lines, written together. */
export class ClaimBatcher {
  #group: GroupCommit<ClaimRequest, ClaimOutcome>;

  constructor(deps: DriverContext) {
    this.#group = new GroupCommit({
      batch: (reqs) =>
        deps.locked(async () => {
          if (deps.stopped()) return reqs.map(() => undefined);
          const out = await deps.store.claimHeads(reqs, deps.instanceId);
          return out.map((r) => r ?? undefined);
        }),
      single: (r) => claimNext(deps, r.goipId, r.checkedId),
    });
  }

  /**
   * Claim the line's next queued item with the other lines asking now; as
   * {@linkcode claimNext}.
   */
  claim(goipId: string, checkedId: number | undefined): Promise<ClaimOutcome> {
    return this.#group.submit({ goipId, checkedId });
  }
}

/**
 * Claim the line's next queued item under the driver's lock. `undefined`:
 * nothing to send (queue empty, or stopped); `"again"`: look at the line
 * again (the item changed or was taken meanwhile). `checkedId` is the item
 * the hand-over checks passed, when they ran.
 */
export function claimNext(
  deps: DriverContext,
  goipId: string,
  checkedId: number | undefined,
): Promise<ClaimOutcome> {
  const { store } = deps;
  return deps.locked(async () => {
    if (deps.stopped()) return undefined;
    const item = await store.nextQueued(goipId);
    if (!item) return undefined;
    // Another item than the one checked (the checked one expired
    // meanwhile): look again.
    if (checkedId !== undefined && item.id !== checkedId) return "again";
    const sendid = await store.nextSendId(goipId);
    const claimed = await store.claimOutbox(
      item.id,
      deps.instanceId,
      sendid,
      item.attempts + 1,
    );
    // Another instance, or the user's retraction, took it first.
    if (!claimed) return "again";
    // The claimed row carries the text to send: a correction may have
    // replaced it after it was read (corrections change queued rows only).
    const fresh = await store.outboxItem(item.id);
    if (!fresh) return "again";
    if (fresh.kind === "sms") {
      await store.recordSend(fresh.id, goipId, fresh.number);
    }
    return { item: fresh, sendid };
  });
}
