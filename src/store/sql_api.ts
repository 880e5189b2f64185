/**
 * The HTTP API's rows for {@linkcode SqlStore}: tokens (hashed), the
 * Idempotency-Key memory of sent requests, and the incoming-SMS listing.
 * Portable SQL only.
 *
 * @module
 */

import { toOutbox } from "./rows.ts";
import type { SqlDriver } from "./sql_driver.ts";
import { enqueueOutbox } from "./sql_outbox.ts";
import { checkGuard } from "./sql_enqueue_guard.ts";
import type {
  ApiToken,
  EnqueueGuard,
  IncomingMessage,
  NewOutboxItem,
  OutboxItem,
} from "./types.ts";
import { StoreConflictError } from "./types.ts";

const TOKEN_COLS = "id, name, token_hash, line_list, created_ms";

function toToken(r: Record<string, unknown>): ApiToken {
  const list = String(r.line_list);
  return {
    id: Number(r.id),
    name: String(r.name),
    hash: String(r.token_hash),
    lines: list === "" ? null : list.split(","),
    createdMs: Number(r.created_ms),
  };
}

/** See {@linkcode Store.addApiToken}. */
export async function addApiToken(
  d: SqlDriver,
  t: { name: string; hash: string; lines: string[] | null },
  nowMs: number,
): Promise<ApiToken> {
  try {
    const r = await d.run(
      "INSERT INTO goippy_api_tokens (name, token_hash, line_list, created_ms) " +
        "VALUES (?, ?, ?, ?)",
      [t.name, t.hash, (t.lines ?? []).join(","), nowMs],
    );
    return { id: r.lastId, ...t, createdMs: nowMs };
  } catch (err) {
    if (d.isUniqueViolation(err)) {
      throw new StoreConflictError(`a token named ${t.name} exists`);
    }
    throw err;
  }
}

/** See {@linkcode Store.apiTokens}. */
export async function apiTokens(d: SqlDriver): Promise<ApiToken[]> {
  const rows = await d.all(
    `SELECT ${TOKEN_COLS} FROM goippy_api_tokens ORDER BY name`,
  );
  return rows.map(toToken);
}

/** See {@linkcode Store.apiTokenByHash}. */
export async function apiTokenByHash(
  d: SqlDriver,
  hash: string,
): Promise<ApiToken | undefined> {
  const rows = await d.all(
    `SELECT ${TOKEN_COLS} FROM goippy_api_tokens WHERE token_hash = ?`,
    [hash],
  );
  return rows.length ? toToken(rows[0]) : undefined;
}

/** See {@linkcode Store.removeApiToken}. */
export async function removeApiToken(
  d: SqlDriver,
  name: string,
): Promise<boolean> {
  const r = await d.run("DELETE FROM goippy_api_tokens WHERE name = ?", [name]);
  return r.changes > 0;
}

/** See {@linkcode Store.enqueueOutboxOnce}. */
export async function enqueueOutboxOnce(
  d: SqlDriver,
  item: NewOutboxItem,
  tokenId: number,
  key: string,
  nowMs: number,
  guard?: EnqueueGuard,
): Promise<{ item: OutboxItem; created: boolean }> {
  const earlier = async () => {
    const rows = await d.all(
      "SELECT o.* FROM goippy_api_idempotency k JOIN goippy_outbox o " +
        "ON o.id = k.outbox_id WHERE k.token_id = ? AND k.idem_key = ?",
      [tokenId, key],
    );
    return rows.length ? toOutbox(rows[0]) : undefined;
  };
  const seen = await earlier();
  if (seen) return { item: seen, created: false };
  try {
    const id = await d.transaction(async (c) => {
      // The key first: a concurrent retry with the same key fails here,
      // before its outbox row exists.
      await c.run(
        "INSERT INTO goippy_api_idempotency (token_id, idem_key, outbox_id, " +
          "created_ms) VALUES (?, ?, 0, ?)",
        [tokenId, key, nowMs],
      );
      if (guard) await checkGuard(c, d, item.goipId, guard);
      const id = await enqueueOutbox(c, item, nowMs);
      await c.run(
        "UPDATE goippy_api_idempotency SET outbox_id = ? " +
          "WHERE token_id = ? AND idem_key = ?",
        [id, tokenId, key],
      );
      return id;
    }, { readCommitted: true });
    const rows = await d.all("SELECT * FROM goippy_outbox WHERE id = ?", [id]);
    return { item: toOutbox(rows[0]), created: true };
  } catch (err) {
    if (!d.isUniqueViolation(err)) throw err;
    const other = await earlier();
    if (!other) throw err;
    return { item: other, created: false };
  }
}

/** See {@linkcode Store.forgetIdempotencyKeys}. */
export async function forgetIdempotencyKeys(
  d: SqlDriver,
  beforeMs: number,
): Promise<number> {
  const r = await d.run(
    "DELETE FROM goippy_api_idempotency WHERE created_ms < ?",
    [beforeMs],
  );
  return r.changes;
}

/** See {@linkcode Store.incomingMessages}. */
export async function incomingMessages(
  d: SqlDriver,
  goipIds: string[] | null,
  afterId: number,
  sinceMs: number,
  limit: number,
): Promise<IncomingMessage[]> {
  if (goipIds && goipIds.length === 0) return [];
  const lineCond = goipIds
    ? `AND goip_id IN (${goipIds.map(() => "?").join(", ")})`
    : "";
  const rows = await d.all(
    "SELECT id, goip_id, ext, msisdn, body, created_ms FROM goippy_log " +
      "WHERE dir = 'in' AND kind = 'sms' AND id > ? AND created_ms >= ? " +
      `${lineCond} ORDER BY id LIMIT ?`,
    [afterId, sinceMs, ...(goipIds ?? []), limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    goipId: String(r.goip_id),
    line: String(r.ext),
    from: String(r.msisdn),
    text: String(r.body),
    receivedMs: Number(r.created_ms),
  }));
}

/** See {@linkcode Store.queuedByLine}. */
export async function queuedByLine(
  d: SqlDriver,
): Promise<Record<string, number>> {
  const rows = await d.all(
    "SELECT goip_id, COUNT(*) AS n FROM goippy_outbox WHERE state = 'queued' " +
      "GROUP BY goip_id",
  );
  return Object.fromEntries(rows.map((r) => [String(r.goip_id), Number(r.n)]));
}

/** See {@linkcode Store.trafficCounts}. */
export async function trafficCounts(
  d: SqlDriver,
  sinceMs: number,
): Promise<{ dir: string; kind: string; count: number }[]> {
  const rows = await d.all(
    "SELECT dir, kind, COUNT(*) AS n FROM goippy_log WHERE created_ms >= ? " +
      "GROUP BY dir, kind ORDER BY dir, kind",
    [sinceMs],
  );
  return rows.map((r) => ({
    dir: String(r.dir),
    kind: String(r.kind),
    count: Number(r.n),
  }));
}
