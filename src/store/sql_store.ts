/**
 * The {@linkcode Store} implementation shared by both dialects: every method
 * is plain, portable SQL over a {@linkcode SqlDriver}, so SQLite and MySQL
 * return identical shapes. The SQL lives in the `sql_*.ts` files by concern.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { migrate, readVersion } from "./migrate.ts";
import type { SqlDriver } from "./sql_driver.ts";
import * as calls from "./sql_calls.ts";
import * as gw from "./sql_gateways.ts";
import * as housekeeping from "./sql_housekeeping.ts";
import * as inbox from "./sql_inbox.ts";
import * as lines from "./sql_line_state.ts";
import * as out from "./sql_outbox.ts";
import * as edit from "./sql_outbox_edit.ts";
import * as contacts from "./sql_contacts.ts";
import type { Contact } from "./sql_contacts.ts";
import type { UserItemKey } from "./sql_outbox_edit.ts";
import * as inst from "./sql_instances.ts";
import * as receive from "./sql_receive.ts";
import * as traffic from "./sql_traffic.ts";
import type {
  CallRecord,
  Dialect,
  Gateway,
  GatewayWithState,
  InboxItem,
  IncomingSms,
  Instance,
  LineState,
  NewGateway,
  NewInboxItem,
  NewOutboxItem,
  OutboxItem,
  OutboxUpdate,
  QueueDepths,
  Store,
  TrafficEntry,
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

  constructor(driver: SqlDriver, log?: Logger, opts: SqlStoreOptions = {}) {
    this.#d = driver;
    this.dialect = driver.dialect;
    this.#log = log;
    this.#bulkWrites = opts.bulkWrites ?? true;
    this.#now = opts.now ?? Date.now;
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
  close(): Promise<void> {
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
  listGateways(): Promise<GatewayWithState[]> {
    return gw.listGateways(this.#d);
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
    );
  }
  storeIncomingBatch(
    list: IncomingSms[],
    dedupeWindowMs: number,
    nowMs?: number,
  ): Promise<("stored" | "duplicate")[]> {
    return receive.storeIncomingBatch(
      this.#d,
      list,
      dedupeWindowMs,
      nowMs ?? this.#now(),
    );
  }
  logTraffic(entry: TrafficEntry): Promise<void> {
    return traffic.logTraffic(this.#d, entry, this.#now());
  }
  enqueueInbox(item: NewInboxItem): Promise<number> {
    return inbox.enqueueInbox(this.#d, item, this.#now());
  }
  pendingInbox(limit: number): Promise<InboxItem[]> {
    return inbox.pendingInbox(this.#d, limit);
  }
  markInboxDone(ids: number[]): Promise<void> {
    return inbox.markInboxDone(this.#d, ids, this.#now());
  }

  recordCall(call: Omit<CallRecord, "id" | "endedMs">): Promise<number> {
    return calls.recordCall(this.#d, call);
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

  enqueueOutbox(item: NewOutboxItem): Promise<number> {
    return out.enqueueOutbox(this.#d, item, this.#now());
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
  updateOutbox(id: number, change: OutboxUpdate): Promise<void> {
    return out.updateOutbox(this.#d, id, change, this.#now());
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
  markInterruptedUncertain(): Promise<OutboxItem[]> {
    return out.moveState(
      this.#d,
      "sending",
      "uncertain",
      "",
      [],
      this.#now(),
    );
  }
  expireQueued(beforeMs: number): Promise<OutboxItem[]> {
    return out.moveState(
      this.#d,
      "queued",
      "expired",
      "AND created_ms < ?",
      [beforeMs],
      this.#now(),
    );
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
  purgeOlderThan(beforeMs: number): Promise<number> {
    return housekeeping.purgeOlderThan(this.#d, beforeMs);
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
}
