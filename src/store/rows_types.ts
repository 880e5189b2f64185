/**
 * The rows and values the store hands out and takes: gateways, lines, inbox
 * and outbox items, traffic, tokens, webhook events. Apart from the
 * `Store` interface (`types.ts`, which re-exports all of them) so
 * each reads on its own.
 *
 * @module
 */

import type { LimitExceeded, LineLimits } from "../limits/rules.ts";

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
  /** Per-gateway overrides of the send limits and pacing (`--limits`); absent when it has none. */
  limits?: GatewayLimits;
  /**
   * The bare JID that registered the line (XEP-0077), lowercase; absent =
   * the default `<ext>@XMPP_DOMAIN`. Map through `xmpp/line_jid.ts`.
   */
  xmppJid?: string;
}

/**
 * A gateway's own send limits and pacing; null = the config's default
 * (SEND_LIMIT_HOUR, SEND_LIMIT_DAY, SEND_LIMIT_RECIPIENTS_MONTH,
 * SEND_INTERVAL, SEND_JITTER). 0 = no limit / no pause.
 */
export interface GatewayLimits {
  hour: number | null;
  day: number | null;
  recipients: number | null;
  /** Seconds. */
  interval: number | null;
  /** Seconds. */
  jitter: number | null;
}

/** What {@linkcode Store.sendUsage} counts from (epoch ms). */
export interface UsageQuery {
  hourFromMs: number;
  dayFromMs: number;
  monthFromMs: number;
  /** The recipient in question (is it one of the month's already?). */
  number: string;
  /** Count the line's queued SMS as if already handed over (at enqueue). */
  withQueued: boolean;
}

/** SMS of one line handed to the GoIP (and queued, when asked). */
export interface SendUsage {
  hour: number;
  day: number;
  /** Distinct recipients since `monthFromMs`. */
  recipients: number;
  /** Whether the query's number is among them. */
  knownRecipient: boolean;
  /** The oldest hand-over since `hourFromMs`, if any. */
  oldestInHourMs: number | null;
  /** The line's latest hand-over ever, if any. */
  lastHandedMs: number | null;
}

/**
 * A check made inside an enqueue's transaction, on the line's usage counted
 * there: enqueues to one line run one after the other, so two at once never
 * both pass a limit that has room for one.
 */
export interface EnqueueGuard {
  /** What to count (with the line's queued SMS, as at enqueue). */
  usage: UsageQuery;
  /** Throws to refuse the item; nothing is queued then. */
  admit(usage: SendUsage): void;
  /**
   * The rule `admit` applies, for a store that checks where functions cannot
   * go (the SQLite worker): refuse when `exceeded(limits, usage, nowMs)`
   * names a limit, with `refusal(over)`, the error `admit` throws for it.
   * Without it such a store runs `admit` here, statement by statement.
   */
  rule?: {
    limits: LineLimits;
    nowMs: number;
    refusal: (over: LimitExceeded) => unknown;
  };
}

/** A line's use of its counting limits. */
export type SendCounts = Pick<SendUsage, "hour" | "day" | "recipients">;

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
  /**
   * The instance that answered the line's latest authenticated keepalive:
   * the only one that sends its outbox ("" or absent: none recorded). A
   * state saved without it keeps the stored owner.
   */
  owner?: string;
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

/**
 * What identifies one GoIP event other than RECEIVE for its dedupe: a
 * retransmission repeats line, name, counter and content.
 */
export interface EventKey {
  goipId: string;
  /** The event's name, e.g. `DELIVER`, `HANGUP`. */
  kind: string;
  n: number;
  /** A hash of the event's fields (without the password). */
  hash: string;
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
  origin: "xmpp" | "cli" | "api";
  state: OutState;
  sendid: number | null;
  smsNo: number | null;
  attempts: number;
  /** Human text of the last error, or "". */
  error: string;
  /** USSD answer text, or "". */
  result: string;
  /** The instance that claimed it for sending ("" or absent: none). */
  claimedBy?: string;
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

/**
 * What an outbox row must still be for an update to apply (compare-and-set):
 * its state, and the instance that claimed it.
 */
export interface OutboxExpect {
  state?: OutState;
  claimedBy?: string;
}

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

/** An HTTP API token (`goippy_api_tokens`); the token itself is never stored. */
export interface ApiToken {
  id: number;
  name: string;
  /** Hex SHA-256 of the token. */
  hash: string;
  /** The exts it may use, or null for an admin token (every line). */
  lines: string[] | null;
  createdMs: number;
}

/** An incoming SMS as the API lists it (from the traffic log). */
export interface IncomingMessage {
  /** The traffic log row id: the pagination cursor. */
  id: number;
  goipId: string;
  /** The line's ext. */
  line: string;
  from: string;
  text: string;
  receivedMs: number;
}

/** A webhook event row (`goippy_webhook_events`). */
export interface WebhookEvent {
  id: number;
  createdMs: number;
  event: string;
  /** The event's JSON `data`, as text. */
  payload: string;
}

/** Thrown when a unique key (ext, goip_id) already exists. */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreConflictError";
  }
}
