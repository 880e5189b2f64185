/**
 * The {@linkcode Store} implementation shared by both dialects: every method
 * is plain, portable SQL over a {@linkcode SqlDriver}, so SQLite and MySQL
 * return identical shapes. The SQL lives in the `sql_*.ts` files by concern.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { migrate, readVersion } from "./migrate.ts";
import type { SqlConn, SqlDriver } from "./sql_driver.ts";
import * as calls from "./sql_calls.ts";
import * as seen from "./sql_event_seen.ts";
import * as gw from "./sql_gateways.ts";
import * as housekeeping from "./sql_housekeeping.ts";
import * as inbox from "./sql_inbox.ts";
import * as lines from "./sql_line_state.ts";
import * as out from "./sql_outbox.ts";
import { GroupCommit } from "./group_commit.ts";
import * as outBatch from "./sql_outbox_batch.ts";
import * as look from "./sql_line_look.ts";
import * as outcome from "./sql_outcome.ts";
import * as edit from "./sql_outbox_edit.ts";
import * as contacts from "./sql_contacts.ts";
import type { Contact } from "./sql_contacts.ts";
import type { UserItemKey } from "./sql_outbox_edit.ts";
import * as inst from "./sql_instances.ts";
import * as api from "./sql_api.ts";
import * as hooks from "./sql_webhooks.ts";
import * as events from "./sql_webhook_events.ts";
import * as leases from "./sql_leases.ts";
import * as receive from "./sql_receive.ts";
import { CounterSweep } from "./receive_sweep.ts";
import { lineCounts } from "./sql_line_counts.ts";
import * as sends from "./sql_sends.ts";
import * as traffic from "./sql_traffic.ts";
import {
  enqueueBatch,
  type EnqueueRequest,
  type EnqueueResult,
} from "./sql_enqueue_batch.ts";
import type {
  ApiToken,
  CallRecord,
  ClaimRequest,
  ClaimResult,
  Dialect,
  EnqueueGuard,
  EventKey,
  Gateway,
  GatewayLimits,
  GatewayWithState,
  InboxItem,
  IncomingMessage,
  IncomingSms,
  Instance,
  Lease,
  LineCounts,
  LineLook,
  LineState,
  NewGateway,
  NewInboxItem,
  NewOutboxItem,
  OutboxExpect,
  OutboxItem,
  OutboxUpdate,
  QueueDepths,
  SendCounts,
  SendUsage,
  SentOutcome,
  Store,
  TrafficEntry,
  UsageQuery,
  WebhookEvent,
} from "./types.ts";

/** Options of {@linkcode SqlStore}. */
export interface SqlStoreOptions {
  /**
   * Write batches of line states with one JSON statement where the driver
   * offers it (default true; false: one row at a time, as on older
   * servers and SQLite).
   */
  bulkWrites?: boolean;
  /** The clock (epoch ms) for every time the store writes; `Date.now` by default. */
  now?: () => number;
}

/** A store over one SQL driver. */
export class SqlStore implements Store {
  readonly dialect: Dialect;
  #d: SqlDriver;
  #log?: Logger;
  #bulkWrites: boolean;
  #now: () => number;
  /** Outbox inserts waiting for the next group commit. */
  #enqueues: GroupCommit<EnqueueRequest, EnqueueResult>;
  /** Whether changes write webhook events (while WEBHOOKS is configured). */
  #webhookEvents = false;
  /** Old RECEIVE counters, forgotten after the acks. */
  #sweep: CounterSweep;

  constructor(driver: SqlDriver, log?: Logger, opts: SqlStoreOptions = {}) {
    this.#d = driver;
    this.dialect = driver.dialect;
    this.#log = log;
    this.#bulkWrites = opts.bulkWrites ?? true;
    this.#now = opts.now ?? Date.now;
    this.#sweep = new CounterSweep(driver);
    this.#enqueues = new GroupCommit({
      batch: (reqs) => this.writeEnqueues(reqs, this.#now()),
      single: async (req) => (await this.writeEnqueues([req], this.#now()))[0],
    });
  }

  /** Write a group commit's outbox inserts, one result per request. */
  protected writeEnqueues(
    reqs: EnqueueRequest[],
    nowMs: number,
  ): Promise<EnqueueResult[]> {
    return enqueueBatch(this.#d, reqs, nowMs);
  }

  async migrate(): Promise<void> {
    await migrate(this.#d, this.#log);
    // Databases from before the version existed get one (their gateways
    // may be cached from now on).
    if (await gw.gatewaysVersion(this.#d) === null) {
      await gw.markGatewaysChanged(this.#d);
    }
  }
  schemaVersion(): Promise<number> {
    return readVersion(this.#d);
  }
  async close(): Promise<void> {
    await this.#sweep.idle();
    return this.#d.close();
  }
  async ping(): Promise<void> {
    await this.#d.all("SELECT 1 AS one");
  }

  addGateway(g: NewGateway): Promise<Gateway> {
    return gw.addGateway(this.#d, g);
  }
  removeGateway(ext: string): Promise<boolean> {
    return gw.removeGateway(this.#d, ext);
  }
  setGatewayEnabled(ext: string, enabled: boolean): Promise<boolean> {
    return gw.setGatewayEnabled(this.#d, ext, enabled);
  }
  gatewayByExt(ext: string): Promise<Gateway | undefined> {
    return gw.gatewayBy(this.#d, "ext", ext);
  }
  gatewayByGoipId(goipId: string): Promise<Gateway | undefined> {
    return gw.gatewayBy(this.#d, "goip_id", goipId);
  }
  gatewayByJid(jid: string): Promise<Gateway | undefined> {
    return gw.gatewayBy(this.#d, "xmpp_jid", jid);
  }
  setGatewayJid(ext: string, jid: string | null): Promise<boolean> {
    return gw.setGatewayJid(this.#d, ext, jid);
  }
  listGateways(): Promise<GatewayWithState[]> {
    return gw.listGateways(this.#d);
  }
  gatewaysPage(
    afterGoipId: string,
    limit: number,
  ): Promise<GatewayWithState[]> {
    return gw.gatewaysPage(this.#d, afterGoipId, limit);
  }
  gatewaysVersion(): Promise<string | null> {
    return gw.gatewaysVersion(this.#d);
  }
  saveLineState(state: LineState): Promise<void> {
    return lines.saveLineState(this.#d, state);
  }
  async saveLineStates(list: LineState[]): Promise<void> {
    const jsonRows = this.#bulkWrites ? await this.#d.jsonRows() : null;
    await lines.saveLineStates(this.#d, list, jsonRows);
  }
  lineState(goipId: string): Promise<LineState | undefined> {
    return lines.lineState(this.#d, goipId);
  }
  nextSendId(goipId: string): Promise<number> {
    return out.nextSendId(this.#d, goipId, this.#now());
  }

  storeIncomingSms(
    sms: IncomingSms,
    dedupeWindowMs: number,
    nowMs?: number,
  ): Promise<"stored" | "duplicate"> {
    return receive.storeIncomingSms(
      this.#d,
      sms,
      dedupeWindowMs,
      nowMs ?? this.#now(),
      this.#webhookEvents,
      this.#sweep,
    );
  }
  storeIncomingBatch(
    list: IncomingSms[],
    dedupeWindowMs: number,
    nowMs?: number,
    onWritten?: () => void,
  ): Promise<("stored" | "duplicate")[]> {
    return receive.storeIncomingBatch(
      this.#d,
      list,
      dedupeWindowMs,
      nowMs ?? this.#now(),
      this.#webhookEvents,
      onWritten,
      this.#sweep,
    );
  }
  logTraffic(entry: TrafficEntry): Promise<void> {
    return traffic.logTraffic(this.#d, entry, this.#now());
  }
  enqueueInbox(item: NewInboxItem): Promise<number> {
    return inbox.enqueueInbox(this.#d, item, this.#now());
  }
  pendingInbox(limit: number, claimer?: string): Promise<InboxItem[]> {
    return inbox.pendingInbox(this.#d, limit, claimer);
  }
  markInboxDone(ids: number[], claimer?: string): Promise<void> {
    return inbox.markInboxDone(this.#d, ids, this.#now(), claimer);
  }
  releaseInboxClaims(claimers: string[]): Promise<number> {
    return inbox.releaseInboxClaims(this.#d, claimers);
  }

  eventSeen(key: EventKey, sinceMs: number): Promise<boolean> {
    return seen.eventSeen(this.#d, key, sinceMs);
  }
  markEventSeen(
    key: EventKey,
    nowMs: number,
    forgetBeforeMs: number,
  ): Promise<void> {
    return seen.markEventSeen(this.#d, key, nowMs, forgetBeforeMs);
  }
  recordCall(call: Omit<CallRecord, "id" | "endedMs">): Promise<number> {
    if (!this.#webhookEvents || call.direction !== 1) {
      return calls.recordCall(this.#d, call);
    }
    const now = this.#now();
    return this.#d.transaction(async (c) => {
      const id = await calls.recordCall(c, call);
      await events.writeCallEvent(c, call, id, now);
      return id;
    });
  }
  completeCall(
    goipId: string,
    remoteNum: string,
    cause: string,
    raw: string,
    nowMs = this.#now(),
  ): Promise<CallRecord | undefined> {
    return calls.completeCall(this.#d, goipId, remoteNum, cause, raw, nowMs);
  }
  recentCalls(limit: number): Promise<CallRecord[]> {
    return calls.recentCalls(this.#d, limit);
  }

  /**
   * Items enqueued together (stanzas or API requests arriving at once) are
   * inserted in one transaction, a guarded item's limit check inside it;
   * each call resolves with its id after the commit (or rejects with its
   * guard's refusal, nothing written for it).
   */
  async enqueueOutbox(
    item: NewOutboxItem,
    guard?: EnqueueGuard,
  ): Promise<number> {
    const r = await this.#enqueues.submit({ item, guard });
    if ("refused" in r) throw r.refused;
    return r.id;
  }
  outboxItem(id: number): Promise<OutboxItem | undefined> {
    return out.outboxItem(this.#d, id);
  }
  nextQueued(goipId: string): Promise<OutboxItem | undefined> {
    return out.nextQueued(this.#d, goipId);
  }
  linesWithQueued(): Promise<string[]> {
    return out.linesWithQueued(this.#d);
  }
  updateOutbox(
    id: number,
    change: OutboxUpdate,
    expect?: OutboxExpect,
  ): Promise<boolean> {
    return this.#webhookEvents && change.state !== undefined
      ? events.updateOutboxWithEvent(this.#d, id, change, this.#now(), expect)
      : out.updateOutbox(this.#d, id, change, this.#now(), expect);
  }
  finishOutbox(
    id: number,
    change: OutboxUpdate,
    expect?: OutboxExpect,
    notice?: NewInboxItem,
  ): Promise<boolean> {
    return outcome.finishOutbox(
      this.#d,
      id,
      change,
      this.#now(),
      expect,
      notice,
      this.#webhookEvents,
    );
  }
  claimOutbox(
    id: number,
    claimer: string,
    sendid: number,
    attempts: number,
  ): Promise<boolean> {
    return out.claimOutbox(this.#d, id, claimer, sendid, attempts, this.#now());
  }
  claimHeads(
    requests: ClaimRequest[],
    claimer: string,
  ): Promise<ClaimResult[]> {
    return outBatch.claimHeads(this.#d, requests, claimer, this.#now());
  }
  lookLines(goipIds: string[]): Promise<LineLook[]> {
    return look.lookLines(this.#d, goipIds);
  }
  recordSentBatch(list: SentOutcome[], claimer: string): Promise<boolean[]> {
    return outBatch.recordSentBatch(
      this.#d,
      list,
      claimer,
      this.#now(),
      this.#webhookEvents,
    );
  }
  findSentBySmsNo(
    goipId: string,
    smsNo: number,
    sinceMs: number,
  ): Promise<OutboxItem | undefined> {
    return out.findSentBySmsNo(this.#d, goipId, smsNo, sinceMs);
  }
  findUserItem(key: UserItemKey): Promise<OutboxItem | undefined> {
    return edit.findUserItem(this.#d, key);
  }
  queuedOf(goipId: string, limit: number): Promise<OutboxItem[]> {
    return edit.queuedOf(this.#d, goipId, limit);
  }
  withdrawQueued(id: number, text: string): Promise<boolean> {
    return edit.withdrawQueued(this.#d, id, text, this.#now());
  }
  replaceQueuedBody(id: number, body: string): Promise<boolean> {
    return edit.replaceQueuedBody(this.#d, id, body, this.#now());
  }
  claimQueued(
    id: number,
    sendid: number,
    attempts: number,
  ): Promise<OutboxItem | undefined> {
    return edit.claimQueued(this.#d, id, sendid, attempts, this.#now());
  }
  markInterruptedUncertain(
    claimers?: string[],
    errorFor?: (item: OutboxItem) => string,
    noticeFor?: (item: OutboxItem) => NewInboxItem | undefined,
  ): Promise<OutboxItem[]> {
    if (claimers?.length === 0) return Promise.resolve([]);
    const where = claimers
      ? `AND COALESCE(claimed_by, '') IN (${
        claimers.map(() => "?").join(", ")
      })`
      : "";
    return out.moveState(
      this.#d,
      "sending",
      "uncertain",
      where,
      claimers ?? [],
      this.#now(),
      errorFor,
      this.#onMoved(noticeFor),
    );
  }
  expireQueued(
    beforeMs: number,
    errorFor?: (item: OutboxItem) => string,
    noticeFor?: (item: OutboxItem) => NewInboxItem | undefined,
  ): Promise<OutboxItem[]> {
    return out.moveState(
      this.#d,
      "queued",
      "expired",
      "AND created_ms < ?",
      [beforeMs],
      this.#now(),
      errorFor,
      this.#onMoved(noticeFor),
    );
  }

  recordSend(outboxId: number, goipId: string, number: string): Promise<void> {
    return sends.recordSend(this.#d, outboxId, goipId, number, this.#now());
  }
  sendUsage(goipId: string, q: UsageQuery): Promise<SendUsage> {
    return sends.sendUsage(this.#d, goipId, q);
  }
  sendCounts(
    q: Omit<UsageQuery, "number" | "withQueued">,
  ): Promise<Map<string, SendCounts>> {
    return sends.sendCounts(this.#d, q);
  }
  setGatewayLimits(
    ext: string,
    change: Partial<GatewayLimits>,
  ): Promise<boolean> {
    return sends.setGatewayLimits(this.#d, ext, change);
  }

  /** What a moved row brings in its transaction: its webhook event, its notice. */
  #onMoved(noticeFor?: (item: OutboxItem) => NewInboxItem | undefined) {
    const hooks = this.#webhookEvents;
    if (!hooks && !noticeFor) return undefined;
    const now = this.#now();
    return async (c: SqlConn, item: OutboxItem) => {
      if (hooks) await events.writeOutboxEvent(c, item, now);
      const notice = noticeFor?.(item);
      if (notice) await outcome.queueNotice(c, notice, now);
    };
  }

  contact(ext: string, number: string): Promise<Contact | undefined> {
    return contacts.contact(this.#d, ext, number);
  }
  contacts(ext: string): Promise<Contact[]> {
    return contacts.contacts(this.#d, ext);
  }
  namedContacts(): Promise<Contact[]> {
    return contacts.namedContacts(this.#d);
  }
  setContact(
    ext: string,
    number: string,
    change: { name?: string; blocked?: boolean },
  ): Promise<Contact | undefined> {
    return contacts.setContact(this.#d, ext, number, change, this.#now());
  }

  queueDepths(): Promise<QueueDepths> {
    return housekeeping.queueDepths(this.#d);
  }
  async purgeOlderThan(beforeMs: number): Promise<number> {
    const n = await housekeeping.purgeOlderThan(this.#d, beforeMs);
    // Hand-overs stay as long as the month limit needs them.
    const keep = Math.min(beforeMs, this.#now() - sends.SENDS_KEPT_MS);
    return n + await sends.forgetSends(this.#d, keep);
  }

  heartbeat(instance: Omit<Instance, "stoppedMs">): Promise<void> {
    return inst.heartbeat(this.#d, instance);
  }
  instanceStopped(instanceId: string, atMs: number): Promise<void> {
    return inst.instanceStopped(this.#d, instanceId, atMs);
  }
  instances(): Promise<Instance[]> {
    return inst.instances(this.#d);
  }

  addApiToken(
    t: { name: string; hash: string; lines: string[] | null },
  ): Promise<ApiToken> {
    return api.addApiToken(this.#d, t, this.#now());
  }
  apiTokens(): Promise<ApiToken[]> {
    return api.apiTokens(this.#d);
  }
  apiTokenByHash(hash: string): Promise<ApiToken | undefined> {
    return api.apiTokenByHash(this.#d, hash);
  }
  removeApiToken(name: string): Promise<boolean> {
    return api.removeApiToken(this.#d, name);
  }
  enqueueOutboxOnce(
    item: NewOutboxItem,
    tokenId: number,
    key: string,
    guard?: EnqueueGuard,
  ): Promise<{ item: OutboxItem; created: boolean }> {
    return api.enqueueOutboxOnce(
      this.#d,
      item,
      tokenId,
      key,
      this.#now(),
      guard,
    );
  }
  forgetIdempotencyKeys(beforeMs: number): Promise<number> {
    return api.forgetIdempotencyKeys(this.#d, beforeMs);
  }
  incomingMessages(
    goipIds: string[] | null,
    afterId: number,
    sinceMs: number,
    limit: number,
  ): Promise<IncomingMessage[]> {
    return api.incomingMessages(this.#d, goipIds, afterId, sinceMs, limit);
  }
  recordWebhookEvents(on: boolean): void {
    this.#webhookEvents = on;
  }
  queuedByLine(): Promise<Record<string, number>> {
    return api.queuedByLine(this.#d);
  }
  trafficCounts(
    sinceMs: number,
  ): Promise<{ dir: string; kind: string; count: number }[]> {
    return api.trafficCounts(this.#d, sinceMs);
  }
  addWebhookEvent(event: string, payload: string): Promise<number> {
    return hooks.addWebhookEvent(this.#d, event, payload, this.#now());
  }
  webhookEventsAfter(afterId: number, limit: number): Promise<WebhookEvent[]> {
    return hooks.webhookEventsAfter(this.#d, afterId, limit);
  }
  webhookCursor(urlKey: string): Promise<number> {
    return hooks.webhookCursor(this.#d, urlKey);
  }
  setWebhookCursor(urlKey: string, lastId: number): Promise<void> {
    return hooks.setWebhookCursor(this.#d, urlKey, lastId);
  }
  purgeWebhookEvents(maxId: number, beforeMs: number): Promise<number> {
    return hooks.purgeWebhookEvents(this.#d, maxId, beforeMs);
  }
  acquireLease(
    name: string,
    holder: string,
    nowMs: number,
    ttlMs: number,
  ): Promise<boolean> {
    return leases.acquireLease(this.#d, name, holder, nowMs, ttlMs);
  }
  releaseLease(name: string, holder: string): Promise<void> {
    return leases.releaseLease(this.#d, name, holder);
  }
  lease(name: string): Promise<Lease | undefined> {
    return leases.lease(this.#d, name);
  }
  lineOwners(): Promise<Record<string, number>> {
    return lines.lineOwners(this.#d);
  }
  lineCounts(onlineSinceMs: number): Promise<LineCounts> {
    return lineCounts(this.#d, onlineSinceMs);
  }
}
