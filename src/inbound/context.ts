/**
 * What the inbound handlers share: the daemon's parts they use and the
 * per-line memory they keep between datagrams. Its own file so the handlers
 * (`dispatch.ts`, `keepalive.ts`, `events.ts`, …) and `start.ts`, which
 * builds it, all import it and none imports another for its type.
 *
 * @module
 */

import type { LiveConfig } from "../config/live.ts";
import type { Hub } from "../hub.ts";
import type { Logger } from "../log.ts";
import type { GoippyMetrics } from "../metrics/goippy.ts";
import type { SpoolFile } from "../spool/spool_file.ts";
import type { Store } from "../store/types.ts";
import type { GatewayCache } from "./auth.ts";
import type { LineSaver } from "./line_saver.ts";
import type { LineWatch } from "./line_watch.ts";
import type { ReceiveBatcher } from "./receive_batch.ts";
import type { SourceGuard } from "./source_guard.ts";
import type { Spooler } from "./spooler.ts";

/** What `startInbound` needs. */
export interface InboundDeps {
  store: Store;
  hub: Hub;
  /** The config in force (a SIGHUP may replace it). */
  config: LiveConfig;
  log: Logger;
  /** Send a datagram from the listening socket. */
  send: (addr: string, text: string) => Promise<void>;
  metrics?: GoippyMetrics;
  now?: () => number;
  /** How often the gateway cache asks whether gateways changed. */
  cacheMs?: number;
  /** This daemon's instance id (default from INSTANCE_ID / the UDP port). */
  instanceId?: string;
  /**
   * The local spool for events the store cannot take (closed by `stop`);
   * without one, a store failure means no ack.
   */
  spoolFile?: SpoolFile | null;
  /**
   * The store is away at start: gateways come from the spool's snapshot,
   * and the line states are read once {@linkcode Inbound.storeBack} says
   * the store answers.
   */
  storeAway?: boolean;
  /**
   * Replays a spooled record the inbound side did not write itself (the
   * outcome of a send, packet type `outbound`); absent: such a record
   * cannot be replayed and is in time set aside.
   */
  replayOther?: (
    packet: { type: string },
  ) => Promise<"stored" | "duplicate">;
}

/** Shared state of the inbound handlers. */
export interface InboundContext extends InboundDeps {
  /** This daemon's instance id: the owner it records for lines it answers. */
  instanceId: string;
  now: () => number;
  gateways: GatewayCache;
  /** Allowed sources and the block after failed authentications. */
  guard: SourceGuard;
  lines: LineWatch;
  /** Per line: the call in progress (from RECORD) and STATE values seen since. */
  calls: Map<string, OpenCall>;
  /** Group commit of incoming SMS. */
  receives: ReceiveBatcher;
  /** Store or spool: what persists each event before its ack. */
  spool: Spooler;
  /** Line-state writes (routine ones batched). */
  saver: LineSaver;
  /** RECEIVEs between their datagram and their ack. */
  inFlight: Set<Promise<void>>;
  /** Send and count one datagram (errors logged, never thrown). */
  reply: (addr: string, text: string, type: string) => Promise<void>;
}

/** A call between its RECORD and HANGUP, as the inbound handlers see it. */
export interface OpenCall {
  num: string;
  direction: number;
  atMs: number;
  states: string[];
}
