/**
 * The shape of a benchmark run's results (also the JSON written to
 * `bench/results/`).
 *
 * @module
 */

import type { Summary } from "./stats.ts";

/** Which store a daemon ran on. */
export type Backend = "sqlite" | "mysql";

/** Passes against the kernel's floor (the C echo). */
export interface KernelFloor {
  perSec: number;
  /** goippy / this floor. */
  ratio: number | null;
  missing: number;
  latency: Summary;
}

/**
 * Scenario 1: keepalives acknowledged per second, goippy vs the runtime's
 * floor (`floor*`, the Deno echo) and the kernel's (the C echo).
 */
export interface KeepaliveResult {
  /** Keepalives sent per pass (same for both). */
  count: number;
  /** In-flight window of the client. */
  window: number;
  floorPerSec: number;
  goippyPerSec: number;
  /** goippy / floor. */
  ratio: number | null;
  /** Keepalives without an OK reply (goippy), e.g. lost or refused. */
  goippyMissing: number;
  floorMissing: number;
  /** goippy's reply latency: median over the rounds of each pass's p50/p99 (ms). */
  goippyLatency: Summary;
  floorLatency: Summary;
  /** The C echo (null: no compiler; absent in runs before it existed). */
  kernelFloor?: KernelFloor | null;
}

/** One open-loop RECEIVE run at a fixed offered rate. */
export interface ReceiveStep {
  /** Offered rate (RECEIVE/s). */
  rate: number;
  /** Rate the client actually managed to send at (first attempts). */
  achievedRate: number;
  sent: number;
  acked: number;
  /** Acked, but only after the device resent (no ack within 3 s). */
  retransmitted: number;
  /** Never acked (after the device's 3 resends). */
  lost: number;
  /** First send → `RECEIVE <n> OK`, ms (acked ones only). */
  latency: Summary;
  /** Share of one core goippy used during the run (send + drain). */
  goippyCpu?: number | null;
  /** Share of one core the bench process (the simulated devices) used. */
  clientCpu?: number | null;
  /** Datagrams the kernel dropped at goippy's socket (receive buffer full). */
  goippyDrops?: number | null;
  /** UDP receive-buffer drops on the whole host during the run. */
  hostDrops?: number | null;
}

/** Scenario 2: RECEIVE acknowledgement latency and the clean-rate search. */
export interface ReceiveResult {
  /** The fixed-rate runs (500/s and 2,000/s). */
  fixed: ReceiveStep[];
  /** The stepped runs, in order, up to the first one needing resends. */
  steps: ReceiveStep[];
  /** Highest stepped rate with every RECEIVE acked on its first send. */
  maxCleanRate: number | null;
  /** Why the search stopped. */
  stoppedBy: "retransmission" | "client" | "last-step";
  /** The long run at a high rate (SQLite only; absent when not run). */
  sustained?: ReceiveStep;
}

/** Scenario 3: RECEIVE → message at a real XMPP client, at one rate. */
export interface E2eStep {
  rate: number;
  sent: number;
  /** Messages the XMPP client received. */
  received: number;
  /** First send of the RECEIVE → the message at the client, ms. */
  latency: Summary;
  /**
   * The floor at the same rate: another client's message to the same user
   * through the same Prosody (no goippy), ms.
   */
  floor?: Summary;
}

/** Scenario 4: XMPP message → SMS command at the simulated module. */
export interface XmppToSmsResult {
  rate: number;
  sent: number;
  /** SMS the module transmitted. */
  transmitted: number;
  /** Stanza sent → the module took the SMS, ms. */
  latency: Summary;
}

/** Scenario 7: a backlog of SMS across many online lines. */
export interface OutboundFleetResult {
  lines: number;
  /** SMS written to the outbox (by another process, like the CLI). */
  queued: number;
  /** SMS the simulated modules took. */
  transmitted: number;
  /** Seconds the bench took to write the backlog (one writer). */
  enqueueS: number;
  /** Transmitted / (last − first datagram taken), across lines. */
  perSec: number | null;
  /** Enqueue commit → the module took the SMS, ms (includes the outbox poll). */
  latency: Summary;
  /** SMS a line took before one queued earlier for it. */
  outOfOrder: number;
  /** Datagrams the kernel dropped at goippy's socket meanwhile. */
  goippyDrops?: number | null;
  /**
   * Share of one core the bench process (the simulated GoIPs) used while
   * the lines took the backlog (0.5 = 50 %): near 1, the client bounds it.
   */
  clientCpu?: number | null;
  /** Users posting to the HTTP API at a steady rate afterwards. */
  api?: FleetApiResult | null;
}

/** Scenario 7's second phase: SMS through `POST /api/v1/sms` at a rate. */
export interface FleetApiResult {
  /** POSTs per second the client kept up. */
  offeredPerSec: number;
  posted: number;
  /** Requests refused or failed. */
  non2xx: number;
  /** SMS the simulated modules took. */
  transmitted: number;
  /** Transmitted / (last − first datagram taken). */
  perSec: number | null;
  /** POST sent → the module took the SMS, ms. */
  latency: Summary;
  outOfOrder: number;
  /** Share of one core the bench process (HTTP client and GoIPs) used. */
  clientCpu: number | null;
}

/** Scenario 5: many idle lines sending keepalives. */
export interface IdleResult {
  lines: number;
  intervalS: number;
  windowS: number;
  /** Share of one core (0.05 = 5 %). */
  cpuShare: number | null;
  rssMb: number | null;
  /** The echo floor (own process) under the same fleet. */
  floorCpuShare?: number | null;
  floorRssMb?: number | null;
  /** Keepalives of the floor's identical fleet without an answer in time. */
  floorKeepalivesLost?: number;
  /** RSS of the same daemon before any line sent anything. */
  baseRssMb?: number | null;
  keepalivesSent: number;
  keepalivesOk: number;
  keepalivesLost: number;
  /** The simulating client (both fleets, one process) over the window. */
  clientCpuShare?: number | null;
  /** Datagrams the kernel dropped at goippy's socket over the window. */
  droppedByKernel?: number | null;
  /**
   * Datagrams the kernel dropped at any UDP socket of the host over the
   * window (goippy's, the floor's and the load generator's own).
   */
  droppedOnHost?: number | null;
}

/** Scenario 6: spawn → first answered keepalive. */
export interface ColdStartResult {
  samplesMs: number[];
  medianMs: number | null;
}

/** Everything measured for one store backend (null = not run). */
export interface BackendResult {
  backend: Backend;
  keepalive: KeepaliveResult | null;
  receive: ReceiveResult | null;
  e2e: E2eStep[] | null;
  xmppToSms: XmppToSmsResult | null;
  idle: IdleResult | null;
  cold: ColdStartResult | null;
  /** Absent in runs from before the scenario existed. */
  fleet?: OutboundFleetResult | null;
  /** Cold start on the idle scenario's database (all its gateways). */
  coldLarge?: (ColdStartResult & { gateways: number }) | null;
  /** Scenarios that failed or were skipped, with the reason. */
  notes: string[];
}

/** One benchmark run. */
export interface BenchRun {
  startedAt: string;
  mode: "quick" | "full";
  host: { cpus: number; os: string; deno: string; v8: string };
  durationS: number;
  backends: BackendResult[];
}
