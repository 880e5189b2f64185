/**
 * Items that waited too long: queued rows older than QUEUE_TTL expire, and a
 * USSD request older than USSD_TTL fails at the head of its line's queue (a
 * USSD code is an action taken now, never later), whether or not the line
 * is online. Both run under the driver's lock so they never interleave with
 * a claim.
 *
 * @module
 */

import type { DriverContext } from "./context.ts";
import { expiredText } from "../notices/mod.ts";
import type { OutboxItem } from "../store/types.ts";
import { finalNotice, reportedFinal } from "./report.ts";
import { ussdStaleText } from "./ussd_live.ts";

/** Expire queued items older than QUEUE_TTL (0: never) and report them. */
export async function expireQueued(deps: DriverContext): Promise<void> {
  const ttl = deps.config().QUEUE_TTL;
  if (deps.stopped() || ttl <= 0) return;
  const text = (item: OutboxItem) => expiredText(item.kind, ttl);
  const rows = await deps.locked(() =>
    deps.store.expireQueued(
      deps.now() - ttl * 1000,
      text,
      (item) => finalNotice(item, text(item)),
    )
  );
  for (const item of rows) {
    const told = finalNotice(item, text(item)) !== undefined;
    await reportedFinal(deps, item, "expired", text(item), told);
  }
}

/**
 * Fail the line's next queued item when it is a USSD request older than
 * USSD_TTL; true when it did.
 */
export async function failStaleUssd(
  deps: DriverContext,
  goipId: string,
): Promise<boolean> {
  const stale = await deps.locked(async () => {
    const item = await deps.store.nextQueued(goipId);
    if (item?.kind !== "ussd") return undefined;
    const ttl = deps.config().USSD_TTL;
    const text = ussdStaleText(item.createdMs, deps.now(), ttl);
    if (!text) return undefined;
    const notice = finalNotice(item, text);
    const failed = await deps.store.finishOutbox(
      item.id,
      {
        state: "failed",
        error: text,
      },
      { state: "queued" },
      notice,
    );
    return failed ? { item, text, told: notice !== undefined } : undefined;
  });
  if (!stale) return false;
  await reportedFinal(deps, stale.item, "failed", stale.text, stale.told);
  return true;
}
