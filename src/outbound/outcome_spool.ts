/**
 * The outcome of a send in flight, made durable like an inbound event: the
 * GoIP's answer (`OK`, `ERROR`, a USSD answer, also one that comes late)
 * is written to the store, or, when the store cannot take it within the
 * spool's bound, to the local spool (the same file and order as the inbound
 * events, so a DELIVER spooled after its `OK` is replayed after it). Replay
 * is a compare-and-set from the state the row had when the answer came:
 * replaying twice, or after the store got the outcome after all, changes
 * nothing and tells the user nothing more. The row's outcome and the message
 * telling its user are one transaction, so the replay carries both or finds
 * both written.
 *
 * @module
 */

import type { SendOutcome } from "../goip/sender.ts";
import type { ReplyPacket } from "../goip/types.ts";
import type { NewSpoolRecord } from "../spool/spool_file.ts";
import type { OutboxItem } from "../store/types.ts";
import { type ReportDeps, reportLateReply, reportOutcome } from "./report.ts";

/** Store-or-spool, as the inbound spooler offers it (`Spooler.persist`). */
export interface OutcomeSpool {
  persist<T>(
    rec: () => NewSpoolRecord,
    write: () => Promise<T>,
  ): Promise<{ how: "stored"; value: T } | { how: "spooled" }>;
}

/** The `type` of every spooled outcome's JSON (the spool tells them apart by it). */
export const OUTBOUND_RECORD = "outbound";

/** One spooled outcome, as its JSON in the spool. */
export type SpooledOutcome =
  /** The attempt ended (not `retry`): the row was `sending`, claimed by `instanceId`. */
  | {
    type: typeof OUTBOUND_RECORD;
    kind: "final";
    instanceId: string;
    item: OutboxItem;
    outcome: Exclude<SendOutcome, { state: "retry" }>;
  }
  /** The GoIP refused before sending: back to `queued` with `error`. */
  | {
    type: typeof OUTBOUND_RECORD;
    kind: "requeue";
    instanceId: string;
    item: OutboxItem;
    error: string;
  }
  /** A reply after the attempt gave up (`reportLateReply`). */
  | {
    type: typeof OUTBOUND_RECORD;
    kind: "late";
    item: OutboxItem;
    reply: ReplyPacket;
  };

function record(o: SpooledOutcome, now: number): NewSpoolRecord {
  const what = o.kind === "final"
    ? o.outcome.state
    : o.kind === "requeue"
    ? "requeue"
    : `late ${o.reply.kind}`;
  return {
    atMs: now,
    goipId: o.item.goipId,
    packet: JSON.stringify(o),
    text: `outcome of ${o.item.kind} #${o.item.id}: ${what}`,
  };
}

/** What the durable writers need: the reporter's deps and maybe a spool. */
export interface OutcomeDeps extends ReportDeps {
  /** Absent: the outcome is written to the store only (its failure thrown). */
  spool?: OutcomeSpool;
  now: () => number;
}

/**
 * Record an attempt's final outcome (`reportOutcome`), in the store or the
 * spool. Throws only when neither could take it.
 */
export async function recordOutcome(
  deps: OutcomeDeps & { instanceId: string },
  item: OutboxItem,
  outcome: Exclude<SendOutcome, { state: "retry" }>,
): Promise<void> {
  const write = () => reportOutcome(deps, item, outcome);
  if (!deps.spool) return void await write();
  const o: SpooledOutcome = {
    type: OUTBOUND_RECORD,
    kind: "final",
    instanceId: deps.instanceId,
    item,
    outcome,
  };
  await deps.spool.persist(() => record(o, deps.now()), write);
}

/**
 * Put an item back to `queued` after the GoIP refused it before sending;
 * false when the row was no longer this instance's. Spooled counts as done.
 */
export async function recordRequeue(
  deps: OutcomeDeps & { instanceId: string },
  item: OutboxItem,
  error: string,
): Promise<boolean> {
  const write = () => requeue(deps, item, error, deps.instanceId);
  if (!deps.spool) return await write();
  const o: SpooledOutcome = {
    type: OUTBOUND_RECORD,
    kind: "requeue",
    instanceId: deps.instanceId,
    item,
    error,
  };
  const r = await deps.spool.persist(() => record(o, deps.now()), write);
  return r.how === "spooled" || r.value;
}

/** Record a reply that came after its attempt gave up (`reportLateReply`). */
export async function recordLateReply(
  deps: OutcomeDeps,
  item: OutboxItem,
  reply: ReplyPacket,
): Promise<void> {
  const write = () => reportLateReply(deps, item, reply);
  if (!deps.spool) return void await write();
  const o: SpooledOutcome = {
    type: OUTBOUND_RECORD,
    kind: "late",
    item,
    reply,
  };
  await deps.spool.persist(() => record(o, deps.now()), write);
}

function requeue(
  deps: ReportDeps,
  item: OutboxItem,
  error: string,
  claimedBy: string,
): Promise<boolean> {
  return deps.store.updateOutbox(
    item.id,
    { state: "queued", error },
    { state: "sending", claimedBy },
  );
}

/**
 * Replay one spooled outcome into the store: "stored" when it changed the
 * row (and told the user what the live write would have), "duplicate" when
 * the row had moved on already (the outcome was written after all, or
 * another instance reported it; a row it reported uncertain still becomes
 * `sent` when the GoIP said so).
 */
export async function replayOutcome(
  deps: Omit<ReportDeps, "instanceId">,
  o: SpooledOutcome,
): Promise<"stored" | "duplicate"> {
  if (o.kind === "late") {
    return await reportLateReply(deps, o.item, o.reply)
      ? "stored"
      : "duplicate";
  }
  const row = await deps.store.outboxItem(o.item.id);
  // Still in flight; or taken for dead and reported uncertain meanwhile by
  // another instance, which an answer that it went out corrects.
  const open = row?.state === "sending" ||
    (row?.state === "uncertain" && o.kind === "final" &&
      o.outcome.state === "sent");
  if (!row || !open || (row.claimedBy ?? "") !== o.instanceId) {
    return "duplicate";
  }
  if (o.kind === "requeue") {
    const back = await requeue(deps, o.item, o.error, o.instanceId);
    if (back) deps.hub.emit("outbox", { goipId: o.item.goipId });
    return back ? "stored" : "duplicate";
  }
  const applied = await reportOutcome(
    { ...deps, instanceId: o.instanceId },
    o.item,
    o.outcome,
  );
  return applied ? "stored" : "duplicate";
}
