/**
 * The local spool: a small SQLite file of inbound GoIP events (and outcomes
 * of sends: the GoIP's answers) that the store could not take in time. An event is acknowledged to the GoIP once it
 * is here (`synchronous=FULL`: on disk before the call returns), and removed
 * once it is in the store. Its own file, apart from the store, so it works
 * whether the store is away (MySQL) or locked (SQLite).
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { Gateway } from "../store/types.ts";

/**
 * Replays an event may fail, with the store answering, before it is set
 * aside (kept in the file, logged, no longer holding the others back).
 */
export const SET_ASIDE_AFTER = 20;

/** One spooled event. */
export interface SpoolRecord {
  /** Row id: the order of arrival. */
  id: number;
  /** When the event arrived (epoch ms). */
  atMs: number;
  goipId: string;
  /** The parsed packet as JSON, password blanked. */
  packet: string;
  /** The datagram's text with secrets masked. */
  text: string;
  /** Failed replays so far. */
  attempts: number;
}

/** What {@linkcode SpoolFile.append} takes. */
export type NewSpoolRecord = Pick<
  SpoolRecord,
  "atMs" | "goipId" | "packet" | "text"
>;

/** The spool file, open for reading and writing (or read-only). */
export class SpoolFile {
  readonly path: string;
  #db: DatabaseSync;
  #maxBytes: number;

  /**
   * Open (or create) the spool at `path`. `maxBytes` bounds its size (0:
   * unbounded); `readOnly` opens an existing file for `--status`.
   */
  constructor(path: string, opts: { maxBytes?: number; readOnly?: boolean }) {
    this.path = path;
    this.#maxBytes = opts.maxBytes ?? 0;
    this.#db = new DatabaseSync(path, { readOnly: opts.readOnly ?? false });
    this.#db.exec("PRAGMA busy_timeout = 5000");
    if (opts.readOnly) return;
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec("PRAGMA synchronous = FULL");
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS spool (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        goip_id TEXT NOT NULL,
        packet TEXT NOT NULL,
        text TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0)`,
    );
    // The gateways as the store last listed them: who may be acknowledged
    // when goippy starts while the store is away.
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS gateways (
        goip_id TEXT PRIMARY KEY,
        gateway TEXT NOT NULL)`,
    );
  }

  /** Replace the snapshot of the gateways (one transaction). */
  saveGateways(list: Gateway[]): void {
    const insert = this.#db.prepare(
      "INSERT INTO gateways (goip_id, gateway) VALUES (?, ?)",
    );
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#db.exec("DELETE FROM gateways");
      for (const g of list) {
        const { state: _state, ...gw } = g as Gateway & { state?: unknown };
        insert.run(g.goipId, JSON.stringify(gw));
      }
      this.#db.exec("COMMIT");
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  /**
   * Start a snapshot written in steps ({@linkcode SpoolFile.addToSnapshot},
   * then {@linkcode SpoolFile.commitSnapshot}): each step is a short
   * transaction of its own, and the snapshot in force is replaced only at
   * the end, so a large fleet never holds the event loop (or the spool's
   * appends) for the whole copy, and a crash midway keeps the last one.
   */
  beginSnapshot(): void {
    this.#db.exec("DROP TABLE IF EXISTS gateways_next");
    this.#db.exec(
      `CREATE TABLE gateways_next (
        goip_id TEXT PRIMARY KEY,
        gateway TEXT NOT NULL)`,
    );
  }

  /** One step of the snapshot begun by {@linkcode SpoolFile.beginSnapshot}. */
  addToSnapshot(list: Gateway[]): void {
    const insert = this.#db.prepare(
      "INSERT OR REPLACE INTO gateways_next (goip_id, gateway) VALUES (?, ?)",
    );
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const g of list) {
        const { state: _state, ...gw } = g as Gateway & { state?: unknown };
        insert.run(g.goipId, JSON.stringify(gw));
      }
      this.#db.exec("COMMIT");
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  /** Put the snapshot written in steps in force (one short transaction). */
  commitSnapshot(): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#db.exec("DROP TABLE gateways");
      this.#db.exec("ALTER TABLE gateways_next RENAME TO gateways");
      this.#db.exec("COMMIT");
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  /** The gateways of the last snapshot (none before the first one). */
  loadGateways(): Gateway[] {
    const rows = this.#db.prepare("SELECT gateway FROM gateways").all() as {
      gateway: string;
    }[];
    return rows.map((r) => JSON.parse(r.gateway) as Gateway);
  }

  /** Bytes the spool's pages use (free pages not counted). */
  usedBytes(): number {
    const r = this.#db.prepare(
      "SELECT (page_count - freelist_count) * page_size AS b " +
        "FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()",
    ).get() as { b: number };
    return Number(r.b);
  }

  /** Whether another event would take the spool past its bound. */
  full(): boolean {
    return this.#maxBytes > 0 && this.usedBytes() >= this.#maxBytes;
  }

  /** Write one event durably; returns its id. */
  append(r: NewSpoolRecord): number {
    const out = this.#db.prepare(
      "INSERT INTO spool (at_ms, goip_id, packet, text) VALUES (?, ?, ?, ?)",
    ).run(r.atMs, r.goipId, r.packet, r.text);
    return Number(out.lastInsertRowid);
  }

  /** Write several events in one transaction (one fsync). */
  appendMany(list: NewSpoolRecord[]): void {
    const insert = this.#db.prepare(
      "INSERT INTO spool (at_ms, goip_id, packet, text) VALUES (?, ?, ?, ?)",
    );
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const r of list) insert.run(r.atMs, r.goipId, r.packet, r.text);
      this.#db.exec("COMMIT");
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  /** Events waiting for replay, oldest first. */
  oldest(limit: number): SpoolRecord[] {
    const rows = this.#db.prepare(
      "SELECT id, at_ms, goip_id, packet, text, attempts FROM spool " +
        "WHERE attempts < ? ORDER BY id LIMIT ?",
    ).all(SET_ASIDE_AFTER, limit) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: Number(r.id),
      atMs: Number(r.at_ms),
      goipId: String(r.goip_id),
      packet: String(r.packet),
      text: String(r.text),
      attempts: Number(r.attempts),
    }));
  }

  /** Forget events that are now in the store (one transaction). */
  removeMany(ids: number[]): void {
    const del = this.#db.prepare("DELETE FROM spool WHERE id = ?");
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const id of ids) del.run(id);
      this.#db.exec("COMMIT");
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  /** Count a failed replay of an event. */
  failed(id: number): void {
    this.#db.prepare("UPDATE spool SET attempts = attempts + 1 WHERE id = ?")
      .run(id);
  }

  /** Events waiting for replay. */
  depth(): number {
    const r = this.#db.prepare(
      "SELECT COUNT(*) AS n FROM spool WHERE attempts < ?",
    ).get(SET_ASIDE_AFTER) as { n: number };
    return Number(r.n);
  }

  /**
   * Waiting records whose packet JSON is of `type` (the outcomes of sends
   * are told apart from GoIP events this way).
   */
  depthOfType(type: string): number {
    const r = this.#db.prepare(
      "SELECT COUNT(*) AS n FROM spool WHERE attempts < ? AND packet LIKE ?",
    ).get(SET_ASIDE_AFTER, `{"type":${JSON.stringify(type)},%`) as {
      n: number;
    };
    return Number(r.n);
  }

  /** Events set aside after {@linkcode SET_ASIDE_AFTER} failed replays. */
  setAside(): number {
    const r = this.#db.prepare(
      "SELECT COUNT(*) AS n FROM spool WHERE attempts >= ?",
    ).get(SET_ASIDE_AFTER) as { n: number };
    return Number(r.n);
  }

  /** The oldest event's arrival time, or null when empty. */
  oldestAtMs(): number | null {
    const r = this.#db.prepare("SELECT MIN(at_ms) AS t FROM spool").get() as {
      t: number | null;
    };
    return r.t === null ? null : Number(r.t);
  }

  close(): void {
    this.#db.close();
  }
}
