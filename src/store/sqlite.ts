/**
 * The SQLite store: {@linkcode SqlStore} over `node:sqlite`.
 *
 * @module
 */

import type { LimitExceeded } from "../limits/rules.ts";
import type { Logger } from "../log.ts";
import { SqlStore, type SqlStoreOptions } from "./sql_store.ts";
import { SqliteDriver, type SqliteDriverOptions } from "./sqlite_driver.ts";
import { SqliteWorkerDriver } from "./sqlite_worker_driver.ts";
import type { EnqueueRequest, EnqueueResult } from "./sql_enqueue_batch.ts";
import type { LineLook } from "./sql_line_look.ts";
import type {
  ClaimRequest,
  ClaimResult,
  SentOutcome,
} from "./sql_outbox_batch.ts";
import { type PlainGuard, plainGuard } from "./sqlite_worker_calls.ts";
import type {
  EnqueueGuard,
  IncomingSms,
  LineState,
  NewOutboxItem,
  OutboxItem,
  Store,
} from "./types.ts";

/** Open (creating when missing) the SQLite database at `path`; call `migrate()` next. */
export function openSqliteStore(
  path: string,
  log?: Logger,
  opts?: SqliteDriverOptions & SqlStoreOptions,
): Store {
  return new SqlStore(new SqliteDriver(path, opts), log, opts);
}

/**
 * {@linkcode openSqliteStore} with the connection in a worker thread (the
 * daemon: statements and COMMIT fsyncs never stall its event loop).
 */
export async function openSqliteWorkerStore(
  path: string,
  log?: Logger,
  opts?: SqliteDriverOptions & SqlStoreOptions,
): Promise<Store> {
  return new SqliteThreadStore(
    await SqliteWorkerDriver.open(path, opts),
    log,
    opts,
  );
}

/**
 * The store over {@linkcode SqliteWorkerDriver}: the transactions of many
 * statements on the hot paths run whole in the worker, one round trip
 * instead of one per statement — inbound: a batch of RECEIVEs, a batch of
 * line states; outbound: the enqueues of a group commit (limit checks
 * included), an API enqueue with an Idempotency-Key, the look at many lines,
 * the claim of their heads and the record of what they sent. Everything
 * else as in {@linkcode SqlStore}.
 */
class SqliteThreadStore extends SqlStore {
  #driver: SqliteWorkerDriver;
  #now: () => number;
  #events = false;

  constructor(
    driver: SqliteWorkerDriver,
    log?: Logger,
    opts: SqlStoreOptions = {},
  ) {
    super(driver, log, opts);
    this.#driver = driver;
    this.#now = opts.now ?? Date.now;
  }

  override storeIncomingBatch(
    list: IncomingSms[],
    dedupeWindowMs: number,
    nowMs?: number,
  ): Promise<("stored" | "duplicate")[]> {
    return this.#driver.call("storeIncomingBatch", [
      list,
      dedupeWindowMs,
      nowMs ?? this.#now(),
      this.#events,
    ]);
  }

  override saveLineStates(list: LineState[]): Promise<void> {
    return this.#driver.call("saveLineStates", [list]);
  }

  override claimHeads(
    requests: ClaimRequest[],
    claimer: string,
  ): Promise<ClaimResult[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return this.#driver.call("claimHeads", [requests, claimer, this.#now()]);
  }

  override lookLines(goipIds: string[]): Promise<LineLook[]> {
    if (goipIds.length === 0) return Promise.resolve([]);
    return this.#driver.call("lookLines", [goipIds]);
  }

  override recordSentBatch(
    list: SentOutcome[],
    claimer: string,
  ): Promise<boolean[]> {
    if (list.length === 0) return Promise.resolve([]);
    return this.#driver.call("recordSentBatch", [
      list,
      claimer,
      this.#now(),
      this.#events,
    ]);
  }

  protected override async writeEnqueues(
    reqs: EnqueueRequest[],
    nowMs: number,
  ): Promise<EnqueueResult[]> {
    const guards = reqs.map((r) => r.guard && plainGuard(r.guard));
    // A guard without its rule as data can only be asked here.
    if (guards.some((g) => g === null)) return super.writeEnqueues(reqs, nowMs);
    const plain = reqs.map((r, i) => ({
      item: r.item,
      guard: guards[i] ?? undefined,
    }));
    const out = await this.#driver.call("enqueueBatch", [plain, nowMs]);
    return out.map((r, i) =>
      "id" in r ? r : { refused: refusal(reqs[i].guard!, r.over) }
    );
  }

  override async enqueueOutboxOnce(
    item: NewOutboxItem,
    tokenId: number,
    key: string,
    guard?: EnqueueGuard,
  ): Promise<{ item: OutboxItem; created: boolean }> {
    let plain: PlainGuard | undefined;
    if (guard) {
      const p = plainGuard(guard);
      if (!p) return super.enqueueOutboxOnce(item, tokenId, key, guard);
      plain = p;
    }
    const r = await this.#driver.call("enqueueOutboxOnce", [
      item,
      tokenId,
      key,
      this.#now(),
      plain,
    ]);
    if ("over" in r) throw refusal(guard!, r.over);
    return r;
  }

  override recordWebhookEvents(on: boolean): void {
    this.#events = on;
    super.recordWebhookEvents(on);
  }
}

/** The error `guard` refuses with for the limit `over`. */
function refusal(
  guard: EnqueueGuard,
  over: LimitExceeded,
): unknown {
  return guard.rule!.refusal(over);
}
