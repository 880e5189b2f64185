/**
 * Recording SMS the GoIPs took (`OK`): the `sent` outcomes of many lines
 * that end within the same turn of the event loop (or while a batch is
 * being written) go to the database in one transaction
 * ({@linkcode Store.recordSentBatch}) instead of two writes each. Each row
 * still moves by compare-and-set (`sending`, claimed by this instance), and
 * a line's worker claims its next item only after its outcome's commit.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { SentOutcome, Store } from "../store/types.ts";
import { GroupCommit } from "../store/group_commit.ts";

/** What {@linkcode SentBatcher} needs. */
export interface SentBatcherDeps {
  store: Store;
  log: Logger;
  /** The instance that claimed the rows. */
  instanceId: string;
}

/** `sent` outcomes of many lines, written together. */
export class SentBatcher {
  #group: GroupCommit<SentOutcome, boolean>;

  constructor(deps: SentBatcherDeps) {
    this.#group = new GroupCommit({
      batch: (list) => deps.store.recordSentBatch(list, deps.instanceId),
      single: (s) => recordSentAlone(deps, s),
    });
  }

  /**
   * Record `s` as sent with the others ending now; false when the row was
   * no longer this instance's to finish (another one reported it meanwhile).
   */
  record(s: SentOutcome): Promise<boolean> {
    return this.#group.submit(s);
  }
}

/** One outcome on its own: the row, then its traffic log row. */
async function recordSentAlone(
  deps: SentBatcherDeps,
  s: SentOutcome,
): Promise<boolean> {
  const { item } = s;
  const applied = await deps.store.updateOutbox(item.id, {
    state: "sent",
    smsNo: s.smsNo,
    result: s.result,
    error: "",
  }, { state: "sending", claimedBy: deps.instanceId });
  if (!applied) return false;
  try {
    await deps.store.logTraffic({
      dir: "out",
      kind: item.kind,
      goipId: item.goipId,
      ext: item.ext,
      number: item.number,
      xmppJid: item.fromJid,
      body: item.body,
      status: "sent",
    });
  } catch (err) {
    // The traffic log is a record, not the outcome.
    deps.log.warn(`traffic log: ${(err as Error).message}`);
  }
  return true;
}
