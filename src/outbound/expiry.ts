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
import { reportFinal } from "./report.ts";
import { ussdStaleText } from "./ussd_live.ts";

/** Expire queued items older than QUEUE_TTL (0: never) and report them. */
export async function expireQueued(deps: DriverContext): Promise<void> {
  const ttl = deps.config().QUEUE_TTL;
  if (deps.stopped() || ttl <= 0) return;
  const rows = await deps.locked(() =>
    deps.store.expireQueued(
      deps.now() - ttl * 1000,
      (item) => expiredText(item.kind, ttl),
    )
  );
  for (const item of rows) {
    await reportFinal(deps, item, "expired", expiredText(item.kind, ttl));
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
    const failed = await deps.store.updateOutbox(item.id, {
      state: "failed",
      error: text,
    }, { state: "queued" });
    return failed ? { item, text } : undefined;
  });
  if (!stale) return false;
  await reportFinal(deps, stale.item, "failed", stale.text);
  return true;
}
