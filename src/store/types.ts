/**
 * The one store interface goippy talks to. Two dialects implement it:
 * SQLite (`node:sqlite`, default) and MySQL/MariaDB (`mysql2`).
 *
 * Conventions shared by both dialects:
 * - Times in new columns are integer milliseconds since the epoch (`*_ms`).
 *   Columns inherited from the original Python goippy keep their types.
 * - Every method is async (SQLite resolves at once) and throws on a database
 *   error; callers decide what that means (e.g. no ack to the GoIP).
 * - No method keeps state outside the database except prepared statements.
 *
 * @module
 */

import type { Instance } from "./sql_instances.ts";
import type { UserItemKey } from "./sql_outbox_edit.ts";
import type { Contact } from "./sql_contacts.ts";

export type { Instance } from "./sql_instances.ts";
export type { UserItemKey } from "./sql_outbox_edit.ts";
export type { Contact } from "./sql_contacts.ts";

/** Which SQL dialect a store speaks. */
export type Dialect = "sqlite" | "mysql";

/** A GoIP channel bound to one XMPP user (`goippy_gateways`). */
export interface Gateway {
  id: number;
  /** The XMPP user's local part, e.g. `2001`. */
  ext: string;
  /** The GoIP's "ID for SMS", `goippy_<ext>`. */
  goipId: string;
  goipPass: string;
  channel: number | null;
  /** The SIM's number as last reported by the GoIP (`num:`), or "". */
  msisdn: string;
  /** ACL for outgoing SMS destinations; `.*` allows all. */
  allowRegex: string;
  enabled: boolean;
}

/** What `--add` supplies; goipId defaults to `goippy_<ext>`. */
export interface NewGateway {
  ext: string;
  goipPass: string;
  allowRegex?: string;
  channel?: number | null;
  goipId?: string;
}

/** The live state of a line, learned from its keepalives (`goippy_state`). */
export interface LineState {
  goipId: string;
  ext: string;
  msisdn: string;
  /** `ip:port` the last authenticated keepalive came from ("" if never). */
  addr: string;
  /** Epoch ms of the last authenticated keepalive (0 if never). */
  lastSeenMs: number;
  signal: number | null;
  gsmStatus: string;
  voipStatus: string;
  voipState: string;
  remainTime: number | null;
  provider: string;
  disableStatus: boolean | null;
  imei: string;
  imsi: string;
  iccid: string;
}

/** A gateway joined with its line state, for listings. */
export interface GatewayWithState extends Gateway {
  state: LineState | null;
}

/** Kinds of rows in the traffic log (`goippy_log.kind`). */
export type TrafficKind = "sms" | "ussd" | "deliver" | "call";

/** One row of the traffic log (`goippy_log`). */
export interface TrafficEntry {
  dir: "in" | "out";
  kind: TrafficKind;
  goipId: string;
  ext: string;
  /** The remote party's number (the original column `msisdn` holds it). */
  number: string;
  xmppJid: string;
  body: string;
  status: string;
}

/** A message waiting to be delivered to an XMPP user (`goippy_inbox`). */
export interface InboxItem {
  id: number;
  createdMs: number;
  /** `chat`: a normal message; `receipt`: XEP-0184 <received/>; `error`: message error. */
  kind: "chat" | "receipt" | "error";
  fromJid: string;
  toJid: string;
  body: string;
  /** For receipt/error: the id of the user's original stanza. */
  refId: string;
  goipId: string;
}

/** What the bridge puts into the inbox. */
export type NewInboxItem = Omit<InboxItem, "id" | "createdMs"> & {
  createdMs?: number;
};

/** An incoming SMS as stored by {@linkcode Store.storeIncomingSms}. */
export interface IncomingSms {
  goipId: string;
  ext: string;
  /** The RECEIVE counter `<n>` (signed, repeats after reboots). */
  n: number;
  srcnum: string;
  body: string;
  /** The inbox row to create (from/to JIDs computed by the bridge). */
  delivery: NewInboxItem;
}

/** Life of an outgoing SMS/USSD (`goippy_outbox.state`). */
export type OutState =
  | "queued" // waiting for the line / its turn
  | "sending" // handed to the device, outcome not yet known
  | "sent" // OK received (sms_no stored) / USSD answered
  | "delivered" // DELIVER state:0 matched
  | "failed" // ERROR, refused, undeliverable, gave up
  | "uncertain" // interrupted by a crash while `sending`
  | "expired" // waited longer than QUEUE_TTL
  | "retracted"; // withdrawn by its sender (XEP-0424) before it was sent

/** One outgoing SMS or USSD request (`goippy_outbox`). */
export interface OutboxItem {
  id: number;
  createdMs: number;
  updatedMs: number;
  ext: string;
  goipId: string;
  kind: "sms" | "ussd";
  /** Destination number (SMS) or "" (USSD). */
  number: string;
  /** SMS text or USSD code. */
  body: string;
  /** The XMPP user who sent it ("" when it came from the CLI). */
  fromJid: string;
  /** The JID the user wrote to (where receipts/errors come from). */
  toJid: string;
  /** The user's stanza id ("" if none). */
  stanzaId: string;
  wantReceipt: boolean;
  origin: "xmpp" | "cli";
  state: OutState;
  sendid: number | null;
  smsNo: number | null;
  attempts: number;
  /** Human text of the last error, or "". */
  error: string;
  /** USSD answer text, or "". */
  result: string;
}

/** What the XMPP side or the CLI puts into the outbox. */
export type NewOutboxItem = Pick<
  OutboxItem,
  | "ext"
  | "goipId"
  | "kind"
  | "number"
  | "body"
  | "fromJid"
  | "toJid"
  | "stanzaId"
  | "wantReceipt"
  | "origin"
>;

/** Fields that {@linkcode Store.updateOutbox} may change. */
export type OutboxUpdate = Partial<
  Pick<
    OutboxItem,
    "state" | "sendid" | "smsNo" | "attempts" | "error" | "result"
  >
>;

/** One call record (`goippy_calls`). */
export interface CallRecord {
  id: number;
  /** Epoch seconds of the start (the original column `ts`). */
  ts: number;
  goipId: string;
  ext: string;
  /** 1 incoming, 2 outgoing. */
  direction: number;
  remoteNum: string;
  cause: string;
  msisdn: string;
  raw: string;
  /** Epoch ms the HANGUP arrived, or null while the call is open. */
  endedMs: number | null;
}

/** Counts for `--status`, metrics and the `status` command. */
export interface QueueDepths {
  inboxPending: number;
  outboxQueued: number;
  outboxSending: number;
}

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
  listGateways(): Promise<GatewayWithState[]>;
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
   */
  storeIncomingBatch(
    list: IncomingSms[],
    dedupeWindowMs: number,
    nowMs?: number,
  ): Promise<("stored" | "duplicate")[]>;
  logTraffic(entry: TrafficEntry): Promise<void>;
  /** Queue a message for an XMPP user; returns its id. */
  enqueueInbox(item: NewInboxItem): Promise<number>;
  /** Oldest undelivered inbox rows first, at most `limit`. */
  pendingInbox(limit: number): Promise<InboxItem[]>;
  /** Mark inbox rows delivered (confirmed by the server). */
  markInboxDone(ids: number[]): Promise<void>;

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
  enqueueOutbox(item: NewOutboxItem): Promise<number>;
  outboxItem(id: number): Promise<OutboxItem | undefined>;
  /** The oldest `queued` item of a line, if any. */
  nextQueued(goipId: string): Promise<OutboxItem | undefined>;
  /** goip_ids that have `queued` items. */
  linesWithQueued(): Promise<string[]>;
  updateOutbox(id: number, change: OutboxUpdate): Promise<void>;
  /** The newest `sent` SMS of a line with this sms_no, created after `sinceMs`. */
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
  /** At start: every `sending` row becomes `uncertain`; returns them. */
  markInterruptedUncertain(): Promise<OutboxItem[]>;
  /** Every `queued` row created before `beforeMs` becomes `expired`; returns them. */
  expireQueued(beforeMs: number): Promise<OutboxItem[]>;

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
}

/** Thrown when a unique key (ext, goip_id) already exists. */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreConflictError";
  }
}
