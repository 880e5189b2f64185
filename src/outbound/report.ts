/**
 * Telling people how an outgoing SMS/USSD ended: the outbox row (which the
 * CLI polls), the traffic log, and for items that came from XMPP an inbox row
 * (a message error with the user's stanza id, or a `[USSD] …` answer),
 * written with the row's new state in one transaction (`finishOutbox`), so a
 * store lost between two writes never leaves a finished row untold.
 *
 * @module
 */

import type { Hub } from "../hub.ts";
import type { Logger } from "../log.ts";
import type { GoippyMetrics } from "../metrics/goippy.ts";
import type {
  NewInboxItem,
  OutboxExpect,
  OutboxItem,
  OutboxUpdate,
  OutState,
  Store,
  TrafficEntry,
} from "../store/types.ts";
import type { SendOutcome } from "../goip/sender.ts";
import { cleanUssdText } from "../goip/sender_ussd.ts";
import type { ReplyPacket } from "../goip/types.ts";
import type { SentBatcher } from "./sent_batch.ts";
import {
  failureText,
  sendError,
  toldOverXmpp,
  ussdAnswer,
} from "../notices/mod.ts";

/** What the reporter needs. */
export interface ReportDeps {
  store: Store;
  hub: Hub;
  log: Logger;
  /** Counts SMS sent/failed when given. */
  metrics?: GoippyMetrics;
  /**
   * This daemon's instance id: an attempt's outcome is written only while
   * the row is still `sending` and claimed by it (compare-and-set).
   */
  instanceId?: string;
  /**
   * When given, a `sent` SMS is recorded through it, with the other lines'
   * outcomes of the moment in one transaction.
   */
  sentBatch?: SentBatcher;
}

/** What a row in flight must still be for this instance to finish it. */
function mine(deps: ReportDeps): OutboxExpect | undefined {
  return deps.instanceId === undefined
    ? undefined
    : { state: "sending", claimedBy: deps.instanceId };
}

/** A short label of an item for log lines (`sms #12 to +3725551234 on goippy_2001`). */
export function describeItem(item: OutboxItem): string {
  const to = item.kind === "sms" ? ` to ${item.number}` : ` ${item.body}`;
  return `${item.kind} #${item.id}${to} on ${item.goipId}`;
}

/**
 * Record the final outcome of an item (not for `retry`): update its row, log
 * the traffic and queue what the XMPP user should see. False when the row
 * was no longer this instance's to finish (nothing reported).
 */
export async function reportOutcome(
  deps: ReportDeps,
  item: OutboxItem,
  outcome: Exclude<SendOutcome, { state: "retry" }>,
): Promise<boolean> {
  const { store, log } = deps;
  if (outcome.state === "sent" && item.kind === "sms" && deps.sentBatch) {
    const applied = await deps.sentBatch.record({
      item,
      smsNo: outcome.smsNo,
      result: outcome.result,
    });
    if (!applied) {
      lostClaim(deps, item);
      return false;
    }
    deps.metrics?.smsOut.inc();
    logSent(deps, item, outcome.smsNo);
    return true;
  }
  if (outcome.state === "sent") {
    // The USSD answer is written with the row's state, so neither lands
    // without the other; an SMS's user hears of it with the DELIVER.
    const notice = item.kind === "ussd" && toldOverXmpp(item)
      ? ussdAnswer(item, outcome.result)
      : undefined;
    const change = {
      state: "sent",
      smsNo: outcome.smsNo,
      result: outcome.result,
      error: "",
    } as const;
    const applied = await store.finishOutbox(
      item.id,
      change,
      mine(deps),
      notice,
    ) || await confirmUncertain(deps, item, change, notice);
    if (!applied) {
      lostClaim(deps, item);
      return false;
    }
    await logOut(deps, item, "sent");
    if (item.kind === "sms") deps.metrics?.smsOut.inc();
    if (item.kind === "ussd") {
      log.info(`${describeItem(item)}: answered`);
      await logTraffic(deps, {
        dir: "in",
        kind: "ussd",
        goipId: item.goipId,
        ext: item.ext,
        number: "",
        xmppJid: item.fromJid,
        body: outcome.result,
        status: "answer",
      });
      if (notice) deps.hub.emit("inbox", undefined);
    } else {
      logSent(deps, item, outcome.smsNo);
    }
    return true;
  }
  const text = failureText(item.kind, outcome.reason);
  return await reportFinal(deps, item, outcome.state, text, mine(deps));
}

function logSent(deps: ReportDeps, item: OutboxItem, smsNo: number | null) {
  deps.log.info(
    `${describeItem(item)}: sent${
      smsNo === null ? " (no sms_no)" : ` (sms_no ${smsNo})`
    }`,
  );
}

/**
 * The GoIP answered a send whose row another instance reported uncertain
 * meanwhile (it took this one for dead while the database was away from
 * it): the answer is the truth, so the row becomes `sent`, as a late answer
 * makes it — the user, told "may not have been sent", now gets the USSD
 * answer, or for an SMS the receipt when the DELIVER comes. Never resent
 * either way. False when the row is not such a row.
 */
async function confirmUncertain(
  deps: ReportDeps,
  item: OutboxItem,
  change: OutboxUpdate,
  notice: NewInboxItem | undefined,
): Promise<boolean> {
  if (deps.instanceId === undefined) return false;
  const confirmed = await deps.store.finishOutbox(item.id, change, {
    state: "uncertain",
    claimedBy: deps.instanceId,
  }, notice);
  if (confirmed) {
    deps.log.info(
      `${describeItem(item)}: reported uncertain meanwhile, but the GoIP ` +
        "answered: sent",
    );
  }
  return confirmed;
}

/**
 * The row was no longer this instance's to finish: it was taken for dead
 * and reported uncertain by another instance meanwhile. That report stands
 * (but for an answer that the send went out: `confirmUncertain`).
 */
function lostClaim(deps: ReportDeps, item: OutboxItem): void {
  deps.log.warn(
    `${describeItem(item)}: outcome not recorded, the row was already ` +
      "reported by another instance",
  );
}

/**
 * Record that an item ended as `state` with the human `text`: the row's
 * error column, the traffic log and, for XMPP users, a message error
 * (written with the row, in one transaction). The row's state must already be `state` or is set here; with `expect`
 * only while the row is still as expected (else nothing is reported and
 * false returned: another instance got there first).
 */
export async function reportFinal(
  deps: ReportDeps,
  item: OutboxItem,
  state: OutState,
  text: string,
  expect?: OutboxExpect,
): Promise<boolean> {
  const notice = finalNotice(item, text);
  const applied = await deps.store.finishOutbox(
    item.id,
    { state, error: text },
    expect,
    notice,
  );
  if (!applied) {
    if (expect?.claimedBy !== undefined) lostClaim(deps, item);
    return false;
  }
  await reportedFinal(deps, item, state, text, notice !== undefined);
  return true;
}

/** The message error telling an XMPP user that their item ended with `text`. */
export function finalNotice(
  item: OutboxItem,
  text: string,
): NewInboxItem | undefined {
  return toldOverXmpp(item) ? sendError(item, text) : undefined;
}

/**
 * What follows a final state once it is written with its notice (by
 * `finishOutbox`, or a store move given `finalNotice`): the traffic log,
 * the metrics, the log line, and the deliverer woken when `told`.
 */
export async function reportedFinal(
  deps: ReportDeps,
  item: OutboxItem,
  state: OutState,
  text: string,
  told: boolean,
): Promise<void> {
  await logOut(deps, item, state);
  if (item.kind === "sms" && (state === "failed" || state === "expired")) {
    deps.metrics?.smsFailed.inc();
  }
  deps.log.warn(`${describeItem(item)}: ${text}`);
  if (told) deps.hub.emit("inbox", undefined);
}

/** The traffic log is a record, not the outcome: its failure is only logged. */
async function logTraffic(deps: ReportDeps, entry: TrafficEntry) {
  try {
    await deps.store.logTraffic(entry);
  } catch (err) {
    deps.log.warn(`traffic log: ${(err as Error).message}`);
  }
}

function logOut(deps: ReportDeps, item: OutboxItem, status: string) {
  return logTraffic(deps, {
    dir: "out",
    kind: item.kind,
    goipId: item.goipId,
    ext: item.ext,
    number: item.number,
    xmppJid: item.fromJid,
    body: item.body,
    status,
  });
}

/**
 * A reply that came after its attempt gave up (uncertain SMS, USSD timeout):
 * an `OK` makes the SMS `sent` (so a later DELIVER can still become a
 * receipt); a USSD answer is stored and passed on to the user. Returns false
 * when the reply means nothing for the item.
 */
export async function reportLateReply(
  deps: ReportDeps,
  item: OutboxItem,
  reply: ReplyPacket,
): Promise<boolean> {
  if (item.kind === "sms" && reply.kind === "ok") {
    const late = await deps.store.updateOutbox(item.id, {
      state: "sent",
      smsNo: reply.smsNo,
    }, { state: "uncertain" });
    if (!late) return false;
    deps.log.info(`${describeItem(item)}: the GoIP confirmed it late: sent`);
    return true;
  }
  if (item.kind !== "ussd" || reply.kind !== "ussd") return false;
  const text = cleanUssdText(reply.text);
  if (/^USSD send failed!?$/i.test(text.trim())) return false;
  const notice = toldOverXmpp(item) ? ussdAnswer(item, text) : undefined;
  const late = await deps.store.finishOutbox(
    item.id,
    { state: "sent", result: text },
    { state: "failed" },
    notice,
  );
  if (!late) return false;
  deps.log.info(`${describeItem(item)}: answered late`);
  if (notice) deps.hub.emit("inbox", undefined);
  return true;
}
