/**
 * Many simulated GoIP channels (e.g. 10,000 for the benchmark) sending
 * keepalives on a schedule through a few shared sockets, counting replies and
 * their latency. Only keepalives: for SMS, events and commands use
 * {@linkcode GoipSim}.
 *
 * @module
 */

import { formatKeepalive } from "./packets.ts";

/** Options of {@linkcode GoipFleet.start}. */
export interface GoipFleetOptions {
  /** Where goippy listens. */
  server: { hostname: string; port: number };
  /** Number of channels. */
  channels: number;
  /** Channel `i` has ID `${idPrefix}${i}` (default `goip`; i from 0). */
  idPrefix?: string;
  /** Password of channel `i` (default `pw`). */
  password?: string | ((i: number) => string);
  /** Number of shared UDP sockets (default 4). */
  sockets?: number;
  /** Each channel sends a keepalive this often (default 30000). */
  intervalMs?: number;
  /** A keepalive without a reply after this long is lost (default 5000). */
  replyTimeoutMs?: number;
  /** Scheduler tick (default 10 ms). */
  tickMs?: number;
}

/** Counters of a fleet. */
export interface FleetStats {
  /** Keepalives sent. */
  sent: number;
  /** Replies matched to a keepalive in time. */
  replies: number;
  /** Of those, `status:200` (or an echo server's copy of the keepalive). */
  ok: number;
  /** Of those, any other status (e.g. 404 for an unknown ID). */
  refused: number;
  /** Keepalives without a reply within `replyTimeoutMs`. */
  lost: number;
  /** Keepalives still waiting for their reply. */
  pending: number;
  /** Datagrams that matched no pending keepalive (late or unknown). */
  unmatched: number;
  /** Reply latency percentiles in ms (null without replies). */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

const MAX_SAMPLES = 1_000_000;

/** A fleet of keepalive-only channels. */
export class GoipFleet {
  readonly #conns: Deno.DatagramConn[];
  readonly #opts: Required<Omit<GoipFleetOptions, "password">>;
  readonly #password: (i: number) => string;
  readonly #server: Deno.NetAddr;
  readonly #pending = new Map<number, { sentAt: number }>();
  readonly #latencies: number[] = [];
  readonly #loops: Promise<void>[];
  readonly #enc = new TextEncoder();
  #counts = { sent: 0, replies: 0, ok: 0, refused: 0, lost: 0, unmatched: 0 };
  #seq = 1;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by every start/stop so a running tick knows it is stale. */
  #generation = 0;
  #closed = false;
  #busy = false;

  private constructor(opts: GoipFleetOptions) {
    const channels = Math.max(0, Math.floor(opts.channels));
    this.#opts = {
      server: opts.server,
      channels,
      idPrefix: opts.idPrefix ?? "goip",
      sockets: Math.max(1, Math.min(opts.sockets ?? 4, 64)),
      intervalMs: opts.intervalMs ?? 30_000,
      replyTimeoutMs: opts.replyTimeoutMs ?? 5000,
      tickMs: opts.tickMs ?? 10,
    };
    const pw = opts.password ?? "pw";
    this.#password = typeof pw === "function" ? pw : () => pw;
    this.#server = { transport: "udp", ...opts.server };
    this.#conns = Array.from(
      { length: this.#opts.sockets },
      () =>
        Deno.listenDatagram({
          transport: "udp",
          hostname: "127.0.0.1",
          port: 0,
        }),
    );
    this.#loops = this.#conns.map((c) => this.#receiveLoop(c));
  }

  /** Bind the shared sockets (nothing is sent until asked). */
  static start(opts: GoipFleetOptions): Promise<GoipFleet> {
    return Promise.resolve(new GoipFleet(opts));
  }

  /** The local ports of the shared sockets. */
  get ports(): number[] {
    return this.#conns.map((c) => (c.addr as Deno.NetAddr).port);
  }

  /** The ID of channel `i`. */
  id(i: number): string {
    return `${this.#opts.idPrefix}${i}`;
  }

  /**
   * Send one keepalive for every channel, at most `window` unanswered at a
   * time (so socket buffers do not overflow), and wait for the replies;
   * gives up after `timeoutMs` in total.
   */
  async keepaliveAll(timeoutMs: number, window = 100): Promise<FleetStats> {
    const end = Date.now() + timeoutMs;
    for (let i = 0; i < this.#opts.channels && !this.#closed; i++) {
      while (this.#pending.size >= window && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 1));
        this.#expire();
      }
      if (Date.now() >= end) break;
      await this.#sendKeepalive(i);
    }
    while (this.#pending.size > 0 && Date.now() < end && !this.#closed) {
      await new Promise((r) => setTimeout(r, 10));
      this.#expire();
    }
    return this.stats();
  }

  /** Keep every channel sending one keepalive per `intervalMs`, spread evenly. */
  startKeepalives(): void {
    this.stopKeepalives();
    const { channels, intervalMs, tickMs } = this.#opts;
    const start = Date.now();
    const generation = ++this.#generation;
    let done = 0;
    const tick = async () => {
      if (this.#closed || generation !== this.#generation) return;
      if (!this.#busy) {
        this.#busy = true;
        try {
          const now = Date.now();
          const due = Math.floor((now - start) * channels / intervalMs) + 1;
          // Never fall further behind than one round: skip, like a slow box.
          if (due - done > channels) done = due - channels;
          for (; done < due && !this.#closed; done++) {
            await this.#sendKeepalive(done % channels);
          }
          this.#expire();
        } finally {
          this.#busy = false;
        }
      }
      if (!this.#closed && generation === this.#generation) {
        this.#timer = setTimeout(tick, tickMs);
      }
    };
    if (channels > 0) this.#timer = setTimeout(tick, 0);
  }

  /** Stop the schedule (pending replies are still counted). */
  stopKeepalives(): void {
    this.#generation++;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** A snapshot of the counters and latency percentiles. */
  stats(): FleetStats {
    this.#expire();
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const pick = (q: number) =>
      sorted.length === 0
        ? null
        : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return {
      ...this.#counts,
      pending: this.#pending.size,
      p50Ms: pick(0.5),
      p95Ms: pick(0.95),
      p99Ms: pick(0.99),
      maxMs: sorted.length === 0 ? null : sorted[sorted.length - 1],
    };
  }

  /** Forget counters and samples (e.g. after a warm-up). */
  resetStats(): void {
    this.#counts = {
      sent: 0,
      replies: 0,
      ok: 0,
      refused: 0,
      lost: 0,
      unmatched: 0,
    };
    this.#latencies.length = 0;
    this.#pending.clear();
  }

  /** Stop sending, close the sockets and wait for their loops. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.stopKeepalives();
    for (const c of this.#conns) c.close();
    await Promise.all(this.#loops);
  }

  async #sendKeepalive(i: number): Promise<void> {
    const n = this.#seq++;
    const text = formatKeepalive(
      n,
      { id: this.id(i), password: this.#password(i) },
      {
        num: "",
        signal: 20,
        imei: String(860000000000000 + i),
        imsi: String(248010000000000 + i),
        iccid: String(8937201000000000000n + BigInt(i)),
        pro: "EMT",
      },
    );
    const conn = this.#conns[i % this.#conns.length];
    this.#pending.set(n, { sentAt: performance.now() });
    this.#counts.sent++;
    try {
      await conn.send(this.#enc.encode(text), this.#server);
    } catch {
      // Closed meanwhile, or a full buffer: the keepalive counts as lost.
    }
  }

  #expire(): void {
    const limit = performance.now() - this.#opts.replyTimeoutMs;
    for (const [n, p] of this.#pending) {
      if (p.sentAt > limit) break; // insertion order = send order
      this.#pending.delete(n);
      this.#counts.lost++;
    }
  }

  async #receiveLoop(conn: Deno.DatagramConn): Promise<void> {
    const dec = new TextDecoder();
    try {
      for await (const [bytes] of conn) {
        // `reg:` is goippy's reply; `req:` is an echo server's copy (the floor).
        const m = /^re[gq]:(-?\d+);(?:status:(\d+);)?/.exec(dec.decode(bytes));
        const p = m ? this.#pending.get(Number(m[1])) : undefined;
        if (!m || !p) {
          this.#counts.unmatched++;
          continue;
        }
        this.#pending.delete(Number(m[1]));
        this.#counts.replies++;
        if (m[2] === "200" || m[2] === undefined) this.#counts.ok++;
        else this.#counts.refused++;
        if (this.#latencies.length < MAX_SAMPLES) {
          this.#latencies.push(performance.now() - p.sentAt);
        }
      }
    } catch {
      // The socket was closed by close().
    }
  }
}
