/**
 * The one store interface goippy talks to. Two dialects implement it:
 * SQLite (`node:sqlite`, default) and MySQL/MariaDB (`mysql2`).
 *
 * Conventions shared by both dialects:
 * - Times in new columns are integer milliseconds since the epoch (`*_ms`).
 *   Columns inherited from the original Python goippy keep their types.
 * - Every method is async (SQLite resolves at once) and throws on a database
 *   error; callers decide what that means (e.g. no ack to the GoIP).
 * - No method keeps state outside the database except prepared statements
 *   and writes waiting for their group commit (each call resolves after it).
 *
 * @module
 */

import type { Instance } from "./sql_instances.ts";
import type { Lease } from "./sql_leases.ts";
import type { UserItemKey } from "./sql_outbox_edit.ts";
import type { Contact } from "./sql_contacts.ts";
import type {
  ClaimRequest,
  ClaimResult,
  SentOutcome,
} from "./sql_outbox_batch.ts";
import type { LineLook } from "./sql_line_look.ts";

export type { Instance } from "./sql_instances.ts";
export type { Lease } from "./sql_leases.ts";
export type { UserItemKey } from "./sql_outbox_edit.ts";
export type { Contact } from "./sql_contacts.ts";
export type {
  ClaimRequest,
  ClaimResult,
  SentOutcome,
} from "./sql_outbox_batch.ts";
export type { LineLook } from "./sql_line_look.ts";

import type {
  ApiToken,
  CallRecord,
  Dialect,
  EnqueueGuard,
  EventKey,
  Gateway,
  GatewayLimits,
  GatewayWithState,
  InboxItem,
  IncomingMessage,
  IncomingSms,
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
  TrafficEntry,
  UsageQuery,
  WebhookEvent,
} from "./rows_types.ts";

export * from "./rows_types.ts";

/** The store: one interface, two dialects. */
export interface Store {
  readonly dialect: Dialect;

  /** Create or upgrade every table (idempotent; keeps all existing rows). */
  migrate(): Promise<void>;
  /** The schema version after {@linkcode migrate}. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
  /** Cheap liveness check (`SELECT 1`). */
  ping(): Promise<void>;

  // --- gateways -------------------------------------------------------------
  /** Throws {@linkcode StoreConflictError} when ext or goip_id exists. */
  addGateway(g: NewGateway): Promise<Gateway>;
  removeGateway(ext: string): Promise<boolean>;
  setGatewayEnabled(ext: string, enabled: boolean): Promise<boolean>;
  gatewayByExt(ext: string): Promise<Gateway | undefined>;
  gatewayByGoipId(goipId: string): Promise<Gateway | undefined>;
  /** The gateway registered to this bare JID (lowercase), if any. */
  gatewayByJid(jid: string): Promise<Gateway | undefined>;
  /**
   * Bind the line to a bare JID (null: back to the default). Throws
   * {@linkcode StoreConflictError} when the JID holds another line already;
   * false when there is no such gateway.
   */
  setGatewayJid(ext: string, jid: string | null): Promise<boolean>;
  listGateways(): Promise<GatewayWithState[]>;
  /**
   * Up to `limit` gateways whose GoIP id sorts after `afterGoipId` (""
   * for the first page), in GoIP id order: lets the daemon walk a large
   * fleet in short steps that leave the event loop free between them.
   */
  gatewaysPage(
    afterGoipId: string,
    limit: number,
  ): Promise<GatewayWithState[]>;
  /**
   * A token that changes whenever goippy adds, removes, enables or disables
   * a gateway or learns its number (null when none is stored yet). Lets the
   * daemon keep gateways cached until they change.
   */
  gatewaysVersion(): Promise<string | null>;

  // --- line state -----------------------------------------------------------
  /** Upsert the line state; also sets gateways.msisdn when `msisdn` is non-empty. */
  saveLineState(state: LineState): Promise<void>;
  /**
   * {@linkcode Store.saveLineState} for many lines in one transaction (the
   * last state of a line in `list` wins).
   */
  saveLineStates(list: LineState[]): Promise<void>;
  lineState(goipId: string): Promise<LineState | undefined>;
  /**
   * Next sendid for a line: strictly greater than every sendid handed out
   * before for that line (persisted, survives restarts) and at least the
   * current Unix time in seconds (so it is above the original goippy's
   * time-based ids). Fits in a signed 32-bit integer until 2038.
   */
  nextSendId(goipId: string): Promise<number>;

  // --- incoming -------------------------------------------------------------
  /**
   * In one transaction: if the same event (`goipId`, `n`, `srcnum` and
   * `body`: a retransmission) was seen within `dedupeWindowMs`, store nothing
   * and return "duplicate"; else remember it, write the traffic log row and
   * the inbox row, and return "stored". Another SMS reusing `n` is stored.
   */
  storeIncomingSms(
    sms: IncomingSms,
    dedupeWindowMs: number,
    nowMs?: number,
  ): Promise<"stored" | "duplicate">;
  /**
   * {@linkcode Store.storeIncomingSms} for several SMS in one transaction
   * (one commit: group commit under load). All or nothing; results in
   * order; a repeat of the same event inside the list is a duplicate.
   * `onWritten`, when given, is called once the rows are written and the
   * commit is under way (not at all when the store has no such moment), so
   * a caller may start writing the next batch meanwhile.
   */
  storeIncomingBatch(
    list: IncomingSms[],
    dedupeWindowMs: number,
    nowMs?: number,
    onWritten?: () => void,
  ): Promise<("stored" | "duplicate")[]>;
  logTraffic(entry: TrafficEntry): Promise<void>;
  /** Whether this event (a retransmission) was marked seen after `sinceMs`. */
  eventSeen(key: EventKey, sinceMs: number): Promise<boolean>;
  /**
   * Mark an event handled at `nowMs` (after its effects are stored); marks
   * of its line at or before `forgetBeforeMs` are forgotten.
   */
  markEventSeen(
    key: EventKey,
    nowMs: number,
    forgetBeforeMs: number,
  ): Promise<void>;
  /** Queue a message for an XMPP user; returns its id. */
  enqueueInbox(item: NewInboxItem): Promise<number>;
  /**
   * Oldest undelivered inbox rows first, at most `limit`. With `claimer`
   * (an instance id) unclaimed rows are claimed for it first (a
   * compare-and-set per row), and only rows it holds are returned: two
   * instances never deliver one row.
   */
  pendingInbox(limit: number, claimer?: string): Promise<InboxItem[]>;
  /**
   * Mark inbox rows delivered (confirmed by the server); with `claimer`,
   * only rows it still holds.
   */
  markInboxDone(ids: number[], claimer?: string): Promise<void>;
  /**
   * Undelivered rows claimed by these (dead) instances become unclaimed, to
   * be delivered again; returns how many.
   */
  releaseInboxClaims(claimers: string[]): Promise<number>;

  // --- calls ----------------------------------------------------------------
  /** Insert a call row (RECORD); returns its id. */
  recordCall(call: Omit<CallRecord, "id" | "endedMs">): Promise<number>;
  /**
   * Complete the newest open call of `goipId` (same remote number when one is
   * given and matches, else the newest open one) with `cause`. Returns the
   * completed call, or undefined when no open call exists.
   */
  completeCall(
    goipId: string,
    remoteNum: string,
    cause: string,
    raw: string,
    nowMs?: number,
  ): Promise<CallRecord | undefined>;
  recentCalls(limit: number): Promise<CallRecord[]>;

  // --- outgoing -------------------------------------------------------------
  /**
   * Queue an item; with a `guard`, only if its check passes (the check and
   * the insert are one transaction, under the line's lock).
   */
  enqueueOutbox(item: NewOutboxItem, guard?: EnqueueGuard): Promise<number>;
  outboxItem(id: number): Promise<OutboxItem | undefined>;
  /** The oldest `queued` item of a line, if any. */
  nextQueued(goipId: string): Promise<OutboxItem | undefined>;
  /** goip_ids that have `queued` items. */
  linesWithQueued(): Promise<string[]>;
  /**
   * Change a row; with `expect`, only while it still is in that state (and
   * claimed by that instance). True when the row changed.
   */
  updateOutbox(
    id: number,
    change: OutboxUpdate,
    expect?: OutboxExpect,
  ): Promise<boolean>;
  /**
   * {@linkcode Store.updateOutbox} and, when the row changed, `notice` (the
   * message telling its user how the send ended) queued in the same
   * transaction: both are written or neither. True when the row changed.
   */
  finishOutbox(
    id: number,
    change: OutboxUpdate,
    expect?: OutboxExpect,
    notice?: NewInboxItem,
  ): Promise<boolean>;
  /**
   * Compare-and-set `queued` → `sending` for `claimer` with the attempt's
   * sendid, only while `claimer` owns the row's line; false when another
   * instance (or a withdrawal) got there first or the line moved.
   */
  claimOutbox(
    id: number,
    claimer: string,
    sendid: number,
    attempts: number,
  ): Promise<boolean>;
  /**
   * For each request (in one transaction): the line's oldest `queued` item,
   * claimed as {@linkcode claimOutbox} does (its next sendid, `sending` for
   * `claimer` only while `claimer` owns the line, its hand-over recorded as
   * {@linkcode recordSend} does), read back as claimed.
   */
  claimHeads(requests: ClaimRequest[], claimer: string): Promise<ClaimResult[]>;
  /**
   * For each SMS the GoIP took (in one transaction): `sending` → `sent`
   * with its sms_no, only while still claimed by `claimer`, and its traffic
   * log row (and webhook event). True where the row changed.
   */
  recordSentBatch(list: SentOutcome[], claimer: string): Promise<boolean[]>;
  /** For each goip_id: its gateway, line state and oldest `queued` item. */
  lookLines(goipIds: string[]): Promise<LineLook[]>;
  /** The newest `sent` SMS of a line with this sms_no, handed to the GoIP at or after `sinceMs`. */
  findSentBySmsNo(
    goipId: string,
    smsNo: number,
    sinceMs: number,
  ): Promise<OutboxItem | undefined>;
  /**
   * The newest item a user sent with this stanza id to this number on this
   * line (any state), for a retraction or correction referring to it.
   */
  findUserItem(key: UserItemKey): Promise<OutboxItem | undefined>;
  /** The oldest `limit` queued items of a line. */
  queuedOf(goipId: string, limit: number): Promise<OutboxItem[]>;
  /** `queued` → `retracted` with `text`; false when the item was no longer queued. */
  withdrawQueued(id: number, text: string): Promise<boolean>;
  /** New text for a `queued` item; false when it was no longer queued. */
  replaceQueuedBody(id: number, body: string): Promise<boolean>;
  /**
   * `queued` → `sending` with its sendid and attempt count; the row as it is
   * now, or undefined when it was no longer queued (withdrawn meanwhile).
   */
  claimQueued(
    id: number,
    sendid: number,
    attempts: number,
  ): Promise<OutboxItem | undefined>;
  /**
   * `sending` rows become `uncertain`; returns those this call changed. With
   * `claimers`, only rows claimed by one of them ("" for rows nobody
   * claimed, from before claims were recorded); without, every one.
   * `errorFor` gives each row its error text in the same write, and
   * `noticeFor` the message telling its user (queued in the same
   * transaction), if any.
   */
  markInterruptedUncertain(
    claimers?: string[],
    errorFor?: (item: OutboxItem) => string,
    noticeFor?: (item: OutboxItem) => NewInboxItem | undefined,
  ): Promise<OutboxItem[]>;
  /**
   * Every `queued` row created before `beforeMs` becomes `expired`, with its
   * error text from `errorFor` and the message telling its user from
   * `noticeFor` (if any) in the same transaction; returns them.
   */
  expireQueued(
    beforeMs: number,
    errorFor?: (item: OutboxItem) => string,
    noticeFor?: (item: OutboxItem) => NewInboxItem | undefined,
  ): Promise<OutboxItem[]>;

  // --- send limits ----------------------------------------------------------
  /**
   * Remember that outbox row `outboxId` (an SMS to `number`) was handed to
   * line `goipId` now; a second call for the same row changes nothing.
   */
  recordSend(outboxId: number, goipId: string, number: string): Promise<void>;
  /** What the line has used of its send limits (see {@linkcode UsageQuery}). */
  sendUsage(goipId: string, q: UsageQuery): Promise<SendUsage>;
  /**
   * {@linkcode SendUsage}'s `hour`, `day` and `recipients` of every line
   * that handed anything over in the windows (hand-overs only), by goip_id.
   */
  sendCounts(
    q: Omit<UsageQuery, "number" | "withQueued">,
  ): Promise<Map<string, SendCounts>>;
  /** Change a gateway's overrides (null = back to the default); false when no such ext. */
  setGatewayLimits(
    ext: string,
    change: Partial<GatewayLimits>,
  ): Promise<boolean>;

  // --- users' contacts ------------------------------------------------------
  /** The user's name for / block of a number, if any. */
  contact(ext: string, number: string): Promise<Contact | undefined>;
  /** Every named or blocked number of a user's line. */
  contacts(ext: string): Promise<Contact[]>;
  /** Every named number of every user (for roster sync). */
  namedContacts(): Promise<Contact[]>;
  /**
   * Set (or clear, with "") the name and/or the block of a number; the row as
   * it is now (undefined when nothing is left: no name, not blocked).
   */
  setContact(
    ext: string,
    number: string,
    change: { name?: string; blocked?: boolean },
  ): Promise<Contact | undefined>;

  // --- housekeeping -----------------------------------------------------------
  queueDepths(): Promise<QueueDepths>;
  /** Delete traffic/call rows and done inbox rows older than `beforeMs`; returns rows removed. */
  purgeOlderThan(beforeMs: number): Promise<number>;

  // --- running daemons ------------------------------------------------------
  /** Write this daemon's row (created when missing; clears a stop mark). */
  heartbeat(instance: Omit<Instance, "stoppedMs">): Promise<void>;
  /** Mark the daemon's row stopped at `atMs` (clean shutdown). */
  instanceStopped(instanceId: string, atMs: number): Promise<void>;
  /** Every daemon row, latest heartbeat first. */
  instances(): Promise<Instance[]>;
  /** How many lines each instance owns (instance id → count). */
  lineOwners(): Promise<Record<string, number>>;
  /**
   * Gateways by state, counted by the database: enabled ones online (a
   * keepalive at or after `onlineSinceMs`, see `lineOnline`) or offline,
   * and disabled ones.
   */
  lineCounts(onlineSinceMs: number): Promise<LineCounts>;

  // --- HTTP API -------------------------------------------------------------
  /** Throws {@linkcode StoreConflictError} when the name exists. */
  addApiToken(
    t: { name: string; hash: string; lines: string[] | null },
  ): Promise<ApiToken>;
  apiTokens(): Promise<ApiToken[]>;
  apiTokenByHash(hash: string): Promise<ApiToken | undefined>;
  removeApiToken(name: string): Promise<boolean>;
  /**
   * Queue `item` unless this token already queued one under `key`; then
   * return that earlier row instead (`created` false). The key and the row
   * are written in one transaction.
   */
  enqueueOutboxOnce(
    item: NewOutboxItem,
    tokenId: number,
    key: string,
    /** Checked only when the key is new, in the transaction that writes it. */
    guard?: EnqueueGuard,
  ): Promise<{ item: OutboxItem; created: boolean }>;
  /**
   * Forget Idempotency-Keys stored before `beforeMs` (a retry with one then
   * queues a new SMS); returns keys removed.
   */
  forgetIdempotencyKeys(beforeMs: number): Promise<number>;
  /**
   * Incoming SMS with an id above `afterId`, received at or after
   * `sinceMs`, of these lines (null: all), oldest first.
   */
  incomingMessages(
    goipIds: string[] | null,
    afterId: number,
    sinceMs: number,
    limit: number,
  ): Promise<IncomingMessage[]>;
  /** Queued outbox rows per goip_id (lines without any are absent). */
  queuedByLine(): Promise<Record<string, number>>;
  /** Traffic log rows since `sinceMs`, counted by direction and kind. */
  trafficCounts(
    sinceMs: number,
  ): Promise<{ dir: string; kind: string; count: number }[]>;
  /**
   * From now on, write webhook events with the changes they report (in the
   * same transaction): outbox outcomes, incoming SMS, incoming calls.
   */
  recordWebhookEvents(on: boolean): void;
  /** Record a webhook event; returns its id. */
  addWebhookEvent(event: string, payload: string): Promise<number>;
  /** Events with an id above `afterId`, oldest first. */
  webhookEventsAfter(afterId: number, limit: number): Promise<WebhookEvent[]>;
  /** The last event id delivered to the receiver `urlKey` (0: none). */
  webhookCursor(urlKey: string): Promise<number>;
  setWebhookCursor(urlKey: string, lastId: number): Promise<void>;
  /** Delete events with an id up to `maxId` created before `beforeMs`; returns how many. */
  purgeWebhookEvents(maxId: number, beforeMs: number): Promise<number>;
  // --- leases: jobs exactly one daemon runs ---------------------------------
  /**
   * Take or renew the lease `name` for `holder` until `nowMs + ttlMs`: true
   * when it is free, expired or already `holder`'s (a compare-and-set, safe
   * on Galera); false when another holder's lease is still running.
   */
  acquireLease(
    name: string,
    holder: string,
    nowMs: number,
    ttlMs: number,
  ): Promise<boolean>;
  /** Give the lease up at once when `holder` holds it. */
  releaseLease(name: string, holder: string): Promise<void>;
  /** Who holds `name` (expired or not), if anyone ever took it. */
  lease(name: string): Promise<Lease | undefined>;
}

/** See {@linkcode Store.lineCounts}: `known` = online + offline + disabled. */
export interface LineCounts {
  known: number;
  online: number;
  offline: number;
  disabled: number;
}
