/**
 * The send limits checked against the database, for everyone who queues or
 * hands over an SMS: the XMPP handlers, `--send` and the HTTP API at enqueue
 * ({@linkcode enqueueGuard}: the check runs in the enqueue's transaction,
 * and queued SMS of the line count as if sent, so nothing over a limit is
 * ever queued, even by requests arriving together), the
 * outbound driver at hand-over (an SMS queued before the limit was reached
 * or lowered fails rather than going out), and an HTTP API (429 with
 * `Retry-After`: {@linkcode retryAfterS}).
 *
 * @module
 */

import type {
  EnqueueGuard,
  Gateway,
  SendUsage,
  Store,
} from "../store/types.ts";
import {
  anyLimit,
  exceeded,
  type LimitConfig,
  type LimitExceeded,
  type LineLimits,
  lineLimits,
  usageQuery,
} from "./rules.ts";

export {
  type LimitConfig,
  type LimitExceeded,
  limitText,
  retryAfterS,
} from "./rules.ts";

/** When the check runs: before queueing, or before handing over. */
export type CheckPoint = "enqueue" | "handover";

/**
 * The limit one more SMS from `gateway` to `number` would exceed, or
 * undefined when it fits (or the line has no limits).
 */
export async function checkSendLimit(
  store: Store,
  gateway: Gateway,
  number: string,
  config: LimitConfig,
  at: CheckPoint,
  nowMs: number = Date.now(),
): Promise<LimitExceeded | undefined> {
  const limits = lineLimits(gateway, config);
  if (!anyLimit(limits)) return undefined;
  const usage = await store.sendUsage(
    gateway.goipId,
    usageQuery(nowMs, number, at === "enqueue"),
  );
  return exceeded(limits, usage, nowMs);
}

/** An SMS refused at enqueue: one more would exceed `over`. */
export class SendLimitError extends Error {
  /** The limit, its use and when it resets. */
  readonly over: LimitExceeded;
  constructor(over: LimitExceeded) {
    super(`send limit ${over.limit} reached`);
    this.name = "SendLimitError";
    this.over = over;
  }
}

/**
 * The check of {@linkcode checkSendLimit} at enqueue as a guard for
 * `Store.enqueueOutbox` / `enqueueOutboxOnce`, so that counting and queueing
 * are one transaction (two SMS queued at once cannot both take the last
 * place). It throws {@linkcode SendLimitError}; undefined when the line has
 * no limit.
 */
export function enqueueGuard(
  gateway: Gateway,
  number: string,
  config: LimitConfig,
  nowMs: number = Date.now(),
): EnqueueGuard | undefined {
  const limits = lineLimits(gateway, config);
  if (!anyLimit(limits)) return undefined;
  const refusal = (over: LimitExceeded) => new SendLimitError(over);
  return {
    usage: usageQuery(nowMs, number, true),
    admit(usage) {
      const over = exceeded(limits, usage, nowMs);
      if (over) throw refusal(over);
    },
    rule: { limits, nowMs, refusal },
  };
}

/** What a line has used and may use, for `--status`, `status` and metrics. */
export interface LineUsage {
  limits: LineLimits;
  usage: SendUsage;
}

/**
 * The line's use of its limits now (hand-overs only, not the queue); zeros
 * without asking the database when it has no limit.
 */
export async function lineUsage(
  store: Store,
  gateway: Gateway,
  config: LimitConfig,
  nowMs: number = Date.now(),
): Promise<LineUsage> {
  const limits = lineLimits(gateway, config);
  const usage = anyLimit(limits)
    ? await store.sendUsage(gateway.goipId, usageQuery(nowMs, "", false))
    : {
      hour: 0,
      day: 0,
      recipients: 0,
      knownRecipient: false,
      oldestInHourMs: null,
      lastHandedMs: null,
    };
  return { limits, usage };
}
