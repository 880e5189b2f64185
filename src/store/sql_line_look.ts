/**
 * What the outbound driver looks at before serving a line — its gateway,
 * its state (owner, address, last keepalive) and the head of its queue —
 * for many lines at once, for {@linkcode SqlStore}: three statements for
 * any number of lines instead of three per line and SMS.
 *
 * @module
 */

import {
  GATEWAY_COLS,
  STATE_COLS,
  toGateway,
  toLineState,
  toOutbox,
} from "./rows.ts";
import type { SqlDriver } from "./sql_driver.ts";
import { OUTBOX_COLS } from "./sql_outbox.ts";
import type { Gateway, LineState, OutboxItem } from "./rows_types.ts";

/** One line as the driver sees it; a part is absent when there is none. */
export interface LineLook {
  gateway?: Gateway;
  line?: LineState;
  /** The oldest `queued` item. */
  head?: OutboxItem;
}

/** See {@linkcode Store.lookLines}. */
export async function lookLines(
  d: SqlDriver,
  goipIds: string[],
): Promise<LineLook[]> {
  const ids = [...new Set(goipIds)];
  if (ids.length === 0) return [];
  const marks = ids.map(() => "?").join(", ");
  const gateways = new Map(
    (await d.all(
      `SELECT ${GATEWAY_COLS} FROM goippy_gateways g WHERE g.goip_id IN (${marks})`,
      ids,
    )).map((r) => {
      const g = toGateway(r);
      return [g.goipId, g] as const;
    }),
  );
  const lines = new Map(
    (await d.all(
      `SELECT ${STATE_COLS} FROM goippy_state s WHERE s.goip_id IN (${marks})`,
      ids,
    )).map((r) => {
      const l = toLineState(r);
      return [l.goipId, l] as const;
    }),
  );
  const heads = new Map(
    (await d.all(
      `SELECT ${OUTBOX_COLS} FROM goippy_outbox o WHERE o.state = 'queued' ` +
        `AND o.goip_id IN (${marks}) AND NOT EXISTS (SELECT 1 FROM ` +
        "goippy_outbox p WHERE p.state = 'queued' AND p.goip_id = o.goip_id " +
        "AND p.id < o.id)",
      ids,
    )).map((r) => {
      const o = toOutbox(r);
      return [o.goipId, o] as const;
    }),
  );
  return goipIds.map((g) => ({
    gateway: gateways.get(g),
    line: lines.get(g),
    head: heads.get(g),
  }));
}
