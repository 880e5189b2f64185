/**
 * Rule 4, "handed over means confirmed": inbox rows go out in order, a ping
 * follows them on the same stream, and only its answer marks them done. A
 * drop or crash before that answer means they go out again (at least once,
 * never lost). Rows that waited (older than {@linkcode DELAY_AFTER_MS}, or
 * made before the current connection came up) carry a XEP-0203 delay stamp.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { Contact, InboxItem, Store } from "../store/types.ts";
import type { ComponentLink } from "./component.ts";
import { inboxStanza } from "./stanzas.ts";
import { normalizeNumber } from "./contact_commands.ts";
import { splitJid, unescapeLocal } from "./jid.ts";

/** Rows older than this when sent get a delay stamp. */
export const DELAY_AFTER_MS = 2000;

/** What the deliverer needs. */
export interface DelivererDeps {
  store: Store;
  link: Pick<ComponentLink, "state" | "send" | "ping">;
  componentJid: string;
  log: Logger;
  batch?: number;
  pollMs?: number;
  pingTimeoutMs?: number;
  /**
   * This daemon's instance id: rows are claimed for it before they go out
   * (a compare-and-set), so no two instances deliver one row. Without it
   * rows are read unclaimed (one daemon per database).
   */
  instanceId?: string;
  /**
   * Where confirmed rows wait for their "done" mark; pass one set to every
   * deliverer a process makes, so a confirmation outlives the XMPP part that
   * got it (the part stops and starts again when the `xmpp` lease is lost
   * and taken back, e.g. while the database restarts).
   */
  confirmed?: Set<number>;
}

/** Should this row carry a delay stamp? */
export function needsDelay(
  item: InboxItem,
  nowMs: number,
  connectedSinceMs: number,
): boolean {
  return nowMs - item.createdMs > DELAY_AFTER_MS ||
    item.createdMs < connectedSinceMs;
}

/**
 * The user's line and the number of a chat row from a phone number (whose
 * contact entry may name or block it); undefined for any other row.
 */
export function contactOf(
  item: InboxItem,
  componentJid: string,
): { ext: string; number: string } | undefined {
  if (item.kind !== "chat") return undefined;
  const from = splitJid(item.fromJid);
  const to = splitJid(item.toJid);
  if (from.domain !== componentJid.toLowerCase() || !from.local || !to.local) {
    return undefined;
  }
  return {
    ext: unescapeLocal(to.local),
    number: normalizeNumber(unescapeLocal(from.local)),
  };
}

/** The delivery loop; `wake()` on hub "inbox" and on (re)connect. */
export class Deliverer {
  #d: Required<Omit<DelivererDeps, "instanceId" | "confirmed">> & {
    instanceId?: string;
  };
  #stopped = false;
  #wake: (() => void) | null = null;
  #kick = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #run: Promise<void> | null = null;
  #connectedSince = 0;
  /**
   * Rows the server confirmed whose "done" mark has not reached the database
   * yet (it was away): never sent again, marked as soon as it answers.
   */
  #confirmed: Set<number>;
  /** Rows marked done so far (for logs and tests). */
  delivered = 0;

  constructor(deps: DelivererDeps) {
    this.#confirmed = deps.confirmed ?? new Set();
    this.#d = {
      ...deps,
      batch: deps.batch ?? 50,
      pollMs: deps.pollMs ?? 3000,
      pingTimeoutMs: deps.pingTimeoutMs ?? 30_000,
    };
  }

  /** Start the loop. */
  start(): void {
    this.#run = this.#loop();
  }

  /** Tell the loop a new connection is up (rows before now get stamped). */
  connected(): void {
    this.#connectedSince = Date.now();
    this.wake();
  }

  /** Look at the inbox now. */
  wake(): void {
    this.#kick = true;
    this.#wake?.();
  }

  /** Stop after the current batch. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#run;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      let more = false;
      if (this.#confirmed.size > 0 || this.#d.link.state() === "connected") {
        try {
          await this.#markConfirmed();
          if (this.#d.link.state() === "connected") {
            more = await this.#deliverBatch();
          }
        } catch (err) {
          this.#d.log.warn(`XMPP: inbox delivery failed: ${err}`);
        }
      }
      if (!more && !this.#stopped) await this.#idle();
    }
  }

  #idle(): Promise<void> {
    if (this.#kick) {
      this.#kick = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#wake = () => {
        clearTimeout(this.#timer);
        this.#wake = null;
        this.#kick = false;
        resolve();
      };
      this.#timer = setTimeout(() => this.#wake?.(), this.#d.pollMs);
    });
  }

  /** Write the "done" marks the database missed; throws while it is away. */
  async #markConfirmed(): Promise<void> {
    if (this.#confirmed.size === 0) return;
    const ids = [...this.#confirmed];
    await this.#d.store.markInboxDone(ids, this.#d.instanceId);
    for (const id of ids) this.#confirmed.delete(id);
    this.delivered += ids.length;
  }

  /** One batch; true when a full batch went out (there may be more). */
  async #deliverBatch(): Promise<boolean> {
    const { store, link, componentJid, log } = this.#d;
    const items = await store.pendingInbox(this.#d.batch, this.#d.instanceId);
    if (items.length === 0) return false;
    // Confirmed rows are never pending here: #markConfirmed ran first and
    // throws while the database is away.
    const now = Date.now();
    const contacts = new Map<string, Contact | undefined>();
    /** goipId → the line's ext (a registered user's JID does not name it). */
    const exts = new Map<string, string | undefined>();
    let withheld = 0;
    // Every database read of the batch comes before its first stanza: a read
    // failing half-way through the sends would leave sent rows unconfirmed,
    // to be sent again.
    const contactOfItem = new Map<number, Contact | undefined>();
    for (const item of items) {
      const who = contactOf(item, componentJid);
      let contact: Contact | undefined;
      if (who && item.goipId) {
        if (!exts.has(item.goipId)) {
          exts.set(
            item.goipId,
            (await store.gatewayByGoipId(item.goipId))?.ext,
          );
        }
        who.ext = exts.get(item.goipId) ?? who.ext;
      }
      if (who) {
        const key = `${who.ext}\n${who.number}`;
        if (!contacts.has(key)) {
          contacts.set(key, await store.contact(who.ext, who.number));
        }
        contact = contacts.get(key);
      }
      contactOfItem.set(item.id, contact);
    }
    for (const item of items) {
      const contact = contactOfItem.get(item.id);
      // Blocked: kept in the traffic log and the inbox, marked done unsent.
      if (contact?.blocked) {
        withheld++;
        continue;
      }
      const el = inboxStanza(item, {
        componentJid,
        delayed: needsDelay(item, now, this.#connectedSince),
        id: `goippy-in-${item.id}`,
        nick: contact?.name || undefined,
      });
      await link.send(el);
    }
    if (withheld) {
      log.info(`XMPP: withheld ${withheld} message(s) from blocked numbers`);
    }
    if (!await link.ping(this.#d.pingTimeoutMs)) {
      log.warn(
        `XMPP: ${items.length} inbox message(s) not confirmed by the server; will send again`,
      );
      return false;
    }
    for (const item of items) this.#confirmed.add(item.id);
    await this.#markConfirmed();
    log.debug(`XMPP: delivered inbox ${items.map((i) => i.id).join(",")}`);
    return items.length === this.#d.batch;
  }
}
