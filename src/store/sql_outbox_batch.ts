/**
 * The outbound driver's hot path for many lines at once, for
 * {@linkcode SqlStore}: claiming the head of many lines' queues and
 * recording many `sent` outcomes, each in one transaction (one commit, one
 * fsync) instead of several per SMS. Every row still moves by its own
 * compare-and-set, checked by the rows it changed.
 *
 * @module
 */

import { toOutbox } from "./rows.ts";
import type { Param, SqlConn, SqlDriver } from "./sql_driver.ts";
import { OUTBOX_COLS, updateOutbox } from "./sql_outbox.ts";
import { LOG_INSERT, logParams } from "./sql_traffic.ts";
import { writeOutboxEvent } from "./sql_webhook_events.ts";
import type { OutboxItem } from "./rows_types.ts";

/** A line whose next queued item is to be claimed for an attempt. */
export interface ClaimRequest {
  goipId: string;
  /** The item the hand-over checks (limits, pace) passed, when they ran. */
  checkedId?: number;
}

/**
 * A claimed item and the sendid it goes out with; `"again"`: look at the
 * line again (the head changed or was taken meanwhile); null: nothing queued.
 */
export type ClaimResult = { item: OutboxItem; sendid: number } | "again" | null;

/** An SMS the GoIP took (`OK`), to be recorded `sent`. */
export interface SentOutcome {
  item: OutboxItem;
  smsNo: number | null;
  result: string;
}

function marks(n: number): string {
  return Array.from({ length: n }, () => "?").join(", ");
}

/** See {@linkcode Store.claimHeads}. */
export function claimHeads(
  d: SqlDriver,
  requests: ClaimRequest[],
  claimer: string,
  nowMs: number,
): Promise<ClaimResult[]> {
  if (requests.length === 0) return Promise.resolve([]);
  // Lines in one order in every transaction: two batches lock alike.
  const lines = [...new Set(requests.map((r) => r.goipId))].sort();
  return d.transaction(async (c) => {
    // The oldest queued row of each line (the state index serves it).
    const heads = new Map<string, number>();
    for (
      const r of await c.all(
        "SELECT o.id, o.goip_id FROM goippy_outbox o WHERE o.state = 'queued' " +
          `AND o.goip_id IN (${marks(lines.length)}) AND NOT EXISTS (` +
          "SELECT 1 FROM goippy_outbox p WHERE p.state = 'queued' " +
          "AND p.goip_id = o.goip_id AND p.id < o.id)",
        lines,
      )
    ) heads.set(String(r.goip_id), Number(r.id));
    const asked = new Set<string>();
    const wanted = requests.map((r) => {
      const id = heads.get(r.goipId);
      if (id === undefined) return null;
      // One attempt per line: a second ask for the line in the batch waits.
      if (asked.has(r.goipId)) return "again";
      asked.add(r.goipId);
      // Another item than the one the hand-over checks passed: look again.
      if (r.checkedId !== undefined && r.checkedId !== id) return "again";
      return id;
    });
    const toClaim = lines.filter((g) =>
      requests.some((r, i) => r.goipId === g && typeof wanted[i] === "number")
    );
    const sendids = await bumpSendIds(d, c, toClaim, nowMs);
    const claimed = new Map<number, number>();
    for (const goipId of toClaim) {
      const id = heads.get(goipId)!;
      const sendid = sendids.get(goipId)!;
      // Only the line's owner may claim: it alone reaches the GoIP.
      const r = await c.run(
        "UPDATE goippy_outbox SET state = 'sending', claimed_by = ?, " +
          "sendid = ?, attempts = attempts + 1, updated_ms = ?, " +
          "sent_ms = ? " +
          "WHERE id = ? AND state = 'queued' AND EXISTS (SELECT 1 FROM " +
          "goippy_state s WHERE s.goip_id = goippy_outbox.goip_id AND " +
          "s.owner_instance = ?)",
        [claimer, sendid, nowMs, nowMs, id, claimer],
      );
      if (r.changes > 0) claimed.set(id, sendid);
    }
    // The claimed rows as they now are: a correction may have replaced the
    // text after the head was found (corrections change queued rows only).
    const items = new Map(
      claimed.size === 0 ? [] : (await c.all(
        `SELECT ${OUTBOX_COLS} FROM goippy_outbox WHERE id IN (${
          marks(claimed.size)
        })`,
        [...claimed.keys()],
      )).map((row) => {
        const item = toOutbox(row);
        return [item.id, item] as const;
      }),
    );
    const sms = [...items.values()].filter((i) => i.kind === "sms");
    if (sms.length > 0) {
      // Keyed on the outbox row: an SMS tried again counts once.
      await c.run(
        `${d.insertIgnore} INTO goippy_sends (outbox_id, goip_id, dest_num, ` +
          `handed_ms) VALUES ${sms.map(() => "(?, ?, ?, ?)").join(", ")}`,
        sms.flatMap((i) => [i.id, i.goipId, i.number, nowMs]),
      );
    }
    return wanted.map((w): ClaimResult => {
      if (typeof w !== "number") return w;
      const item = items.get(w);
      // Another instance, or the user's retraction, took it first.
      if (!item) return "again";
      return { item, sendid: claimed.get(w)! };
    });
  }, { readCommitted: true });
}

/**
 * The next sendid of each line, as {@linkcode nextSendId} gives one: one
 * upsert for all of them, then one read.
 */
async function bumpSendIds(
  d: SqlDriver,
  c: SqlConn,
  lines: string[],
  nowMs: number,
): Promise<Map<string, number>> {
  if (lines.length === 0) return new Map();
  const floor = Math.floor(nowMs / 1000);
  await c.run(
    d.upsert(
      "INSERT INTO goippy_sendid (goip_id, last_id) VALUES " +
        lines.map(() => "(?, ?)").join(", "),
      "goip_id",
      "last_id = CASE WHEN last_id + 1 > ? THEN last_id + 1 ELSE ? END",
    ),
    [...lines.flatMap((g) => [g, floor]), floor, floor],
  );
  const rows = await c.all(
    `SELECT goip_id, last_id FROM goippy_sendid WHERE goip_id IN (${
      marks(lines.length)
    })`,
    lines,
  );
  return new Map(rows.map((r) => [String(r.goip_id), Number(r.last_id)]));
}

/** See {@linkcode Store.recordSentBatch}. */
export function recordSentBatch(
  d: SqlDriver,
  list: SentOutcome[],
  claimer: string,
  nowMs: number,
  webhookEvents: boolean,
): Promise<boolean[]> {
  if (list.length === 0) return Promise.resolve([]);
  return d.transaction(async (c) => {
    const applied: boolean[] = [];
    const logged: Param[][] = [];
    for (const s of list) {
      const ok = await updateOutbox(
        c,
        s.item.id,
        {
          state: "sent",
          smsNo: s.smsNo,
          result: s.result,
          error: "",
        },
        nowMs,
        { state: "sending", claimedBy: claimer },
      );
      applied.push(ok);
      if (!ok) continue;
      const i = s.item;
      logged.push(logParams({
        dir: "out",
        kind: i.kind,
        goipId: i.goipId,
        ext: i.ext,
        number: i.number,
        xmppJid: i.fromJid,
        body: i.body,
        status: "sent",
      }, nowMs));
      if (webhookEvents) {
        const rows = await c.all(
          `SELECT ${OUTBOX_COLS} FROM goippy_outbox WHERE id = ?`,
          [i.id],
        );
        if (rows.length) await writeOutboxEvent(c, toOutbox(rows[0]), nowMs);
      }
    }
    if (logged.length > 0) {
      const [head, values] = LOG_INSERT.split(" VALUES ");
      await c.run(
        `${head} VALUES ${logged.map(() => values).join(", ")}`,
        logged.flat(),
      );
    }
    return applied;
  });
}
