/**
 * The UDP side of a simulated GoIP channel: one socket on 127.0.0.1, seeded
 * fault injection in each direction, reply waiters, device-like resends and
 * cancellable timers. {@linkcode GoipSim} builds on it.
 *
 * @module
 */

import { dropper } from "./prng.ts";
import { waitFor } from "../poll.ts";

/** A timer handle as `setTimeout` returns it. */
export type Timer = ReturnType<typeof setTimeout>;

/** UDP and fault-injection options of a channel. */
export interface ChannelOptions {
  /** Where goippy listens. */
  server: { hostname: string; port: number };
  /** Local address to bind (default 127.0.0.1, port 0 = any free). */
  hostname?: string;
  port?: number;
  /** Resend an unacknowledged packet after this long (default 3000). */
  retransmitMs?: number;
  /** Resend at most this many times (default 3). */
  retransmits?: number;
  /** Drop this fraction of datagrams in each direction (default 0). */
  dropRate?: number;
  /** Override the drop rate for one direction. */
  dropRateIn?: number;
  dropRateOut?: number;
  /** PRNG seed for dropping (default 1). */
  seed?: number;
}

/** The outcome of a packet the device sent and wanted acknowledged. */
export interface ExchangeResult {
  /** The server answered `NAME <n> OK` (for keepalives: any `reg:<n>;`). */
  acked: boolean;
  /** How many times the datagram was sent (1 = no resend). */
  attempts: number;
  /** The reply text, if any came. */
  reply?: string;
  /** The `<n>` used. */
  n: number;
}

interface Waiter {
  match: (text: string) => boolean;
  resolve: (text: string | null) => void;
}

/** A UDP endpoint that behaves like one GoIP channel's network stack. */
export abstract class SimChannel {
  /** Every datagram received from the server (after drops), raw. */
  readonly received: string[] = [];
  /** Every datagram this channel transmitted (not the dropped ones). */
  readonly sent: string[] = [];
  /** Datagrams lost by fault injection, per direction. */
  droppedIn = 0;
  droppedOut = 0;
  /**
   * Targeted loss: return true to lose this datagram (`out` = device to
   * server). Checked before the random drop; change it at any time.
   */
  dropFilter: ((dir: "in" | "out", text: string) => boolean) | null = null;
  /** Resend delay and count for {@linkcode exchange}; may be changed. */
  retransmitMs: number;
  retransmits: number;
  readonly #conn: Deno.DatagramConn;
  readonly #server: Deno.NetAddr;
  readonly #dropIn: () => boolean;
  readonly #dropOut: () => boolean;
  readonly #waiters = new Set<Waiter>();
  readonly #timers = new Set<Timer>();
  readonly #loop: Promise<void>;
  readonly #enc = new TextEncoder();
  #closed = false;

  /** Bind the socket and start receiving. */
  constructor(opts: ChannelOptions) {
    this.#conn = Deno.listenDatagram({
      transport: "udp",
      hostname: opts.hostname ?? "127.0.0.1",
      port: opts.port ?? 0,
    });
    this.#server = { transport: "udp", ...opts.server };
    this.retransmitMs = opts.retransmitMs ?? 3000;
    this.retransmits = opts.retransmits ?? 3;
    const seed = opts.seed ?? 1;
    this.#dropIn = dropper(opts.dropRateIn ?? opts.dropRate ?? 0, seed);
    this.#dropOut = dropper(
      opts.dropRateOut ?? opts.dropRate ?? 0,
      (seed ^ 0x9e3779b9) >>> 0,
    );
    this.#loop = this.#receiveLoop();
  }

  /** Handle a datagram no waiter took. */
  protected abstract unmatched(text: string): void;
  /** Note a protocol rule the server broke. */
  protected abstract violation(text: string): void;

  /** The local UDP port. */
  get port(): number {
    return (this.#conn.addr as Deno.NetAddr).port;
  }
  /** The local address as `ip:port`, as goippy will see it. */
  get addr(): string {
    return `${(this.#conn.addr as Deno.NetAddr).hostname}:${this.port}`;
  }
  /** Timers still scheduled (resends, module replies, keepalives); 0 after close. */
  get pendingTimers(): number {
    return this.#timers.size;
  }
  /** True after {@linkcode close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Send `text`, resending the same datagram every `retransmitMs` until a
   * datagram matching `match` comes (at most `1 + retransmits` sends).
   */
  async exchange(
    text: string,
    n: number,
    match: (reply: string) => boolean,
    isAck: (reply: string) => boolean,
  ): Promise<ExchangeResult> {
    const max = 1 + Math.max(0, this.retransmits);
    let attempt = 0;
    while (attempt < max && !this.#closed) {
      attempt++;
      const waiting = this.waitReply(match, this.retransmitMs);
      await this.send(text);
      const reply = await waiting;
      if (reply !== null) {
        return { acked: isAck(reply), attempts: attempt, reply, n };
      }
    }
    return { acked: false, attempts: attempt, n };
  }

  /** Send one datagram as is (subject to the drop rate). */
  sendRaw(data: string | Uint8Array): Promise<void> {
    return this.send(data);
  }

  /** Send `text` once and wait for a matching reply (null on timeout). */
  async request(
    text: string,
    matchReply: (reply: string) => boolean,
    timeoutMs: number,
  ): Promise<string | null> {
    const waiting = this.waitReply(matchReply, timeoutMs);
    await this.send(text);
    return await waiting;
  }

  /** Poll `pred` until true; throws a clear error after `timeoutMs` or on close. */
  waitFor(
    pred: () => boolean,
    timeoutMs: number,
    what = "condition",
  ): Promise<void> {
    return waitFor(
      () => {
        if (this.#closed) throw new Error(`closed while waiting for ${what}`);
        return pred();
      },
      timeoutMs,
      what,
      5,
    );
  }

  /** Wait for a datagram from the server matching `pred` (already received ones count). */
  async waitForReceived(
    pred: (text: string) => boolean,
    timeoutMs: number,
  ): Promise<string> {
    let found: string | undefined;
    await this.waitFor(
      () => (found = this.received.find(pred)) !== undefined,
      timeoutMs,
      "a matching datagram from the server",
    );
    return found!;
  }

  /** Stop timers, close the socket and wait for the receive loop to end. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of [...this.#waiters]) w.resolve(null);
    this.#waiters.clear();
    this.#conn.close();
    await this.#loop;
  }

  /** Run `fn` after `ms` unless closed first. */
  protected later(ms: number, fn: () => void): Timer {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) fn();
    }, Math.max(0, ms));
    this.#timers.add(t);
    return t;
  }

  /** Cancel a timer made by {@linkcode later}. */
  protected cancel(t: Timer): void {
    clearTimeout(t);
    this.#timers.delete(t);
  }

  /** Resolve with the first datagram matching `match`, or null after `timeoutMs`. */
  protected waitReply(
    match: (text: string) => boolean,
    timeoutMs: number,
  ): Promise<string | null> {
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const w: Waiter = {
        match,
        resolve: (text) => {
          this.cancel(t);
          this.#waiters.delete(w);
          resolve(text);
        },
      };
      const t = this.later(timeoutMs, () => w.resolve(null));
      this.#waiters.add(w);
    });
  }

  /** Transmit to the server unless dropped or closed. */
  protected async send(data: string | Uint8Array): Promise<void> {
    if (this.#closed) return;
    const text = typeof data === "string"
      ? data
      : new TextDecoder().decode(data);
    if (this.dropFilter?.("out", text) || this.#dropOut()) {
      this.droppedOut++;
      return;
    }
    const bytes = typeof data === "string" ? this.#enc.encode(data) : data;
    this.sent.push(text);
    try {
      await this.#conn.send(bytes, this.#server);
    } catch (e) {
      if (!this.#closed) throw e;
    }
  }

  async #receiveLoop(): Promise<void> {
    const dec = new TextDecoder();
    try {
      for await (const [bytes, from] of this.#conn) {
        const text = dec.decode(bytes);
        if (this.dropFilter?.("in", text) || this.#dropIn()) {
          this.droppedIn++;
          continue;
        }
        try {
          this.#dispatch(text, from as Deno.NetAddr);
        } catch (e) {
          this.violation(`simulator failed on a datagram: ${e}`);
        }
      }
    } catch (e) {
      if (!this.#closed) this.violation(`simulator socket failed: ${e}`);
    }
  }

  #dispatch(text: string, from: Deno.NetAddr): void {
    this.received.push(text);
    if (from.port !== this.#server.port) {
      this.violation(
        `datagram from ${from.hostname}:${from.port}, not the server's port`,
      );
    }
    let taken = false;
    for (const w of [...this.#waiters]) {
      if (w.match(text)) {
        w.resolve(text);
        taken = true;
      }
    }
    if (!taken) this.unmatched(text);
  }
}
