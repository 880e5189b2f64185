/**
 * The UDP endpoint: one socket that receives GoIP datagrams and sends every
 * command from the same port (so replies find their way through NAT).
 *
 * The receive loop never dies on bad input: oversized or non-UTF-8
 * datagrams are dropped with a debug line, sources outside the allow filter
 * are dropped, and a handler that throws is logged. Datagrams from one
 * address are handled in order; different addresses run concurrently.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { maskSecrets } from "../log.ts";
import { decodeDatagram, MAX_DATAGRAM_BYTES } from "./parse.ts";

/** Called for each accepted datagram (`addr` is `ip:port`). */
export type DatagramHandler = (
  text: string,
  addr: string,
) => Promise<void> | void;

/** Options of {@linkcode startEndpoint}. */
export interface EndpointOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  log: Logger;
  onDatagram: DatagramHandler;
  /** Source filter (GOIP_ALLOW_SOURCES); false drops the datagram. */
  allowSource?: (ip: string) => boolean;
  /** Called for each dropped datagram with the reason (for metrics). */
  onDrop?: (reason: "oversized" | "encoding" | "source" | "busy") => void;
  /** At most this many datagrams in flight; more are dropped (default 2000). */
  maxInFlight?: number;
}

/** A listening endpoint; implements the outbound sender's `GoipTransport`. */
export interface Endpoint {
  readonly hostname: string;
  readonly port: number;
  /** Send one datagram to `ip:port` (IPv6 as `[addr]:port`). */
  send(addr: string, text: string): Promise<void>;
  /** True until {@linkcode Endpoint.close}. */
  isOpen(): boolean;
  /** Stop taking datagrams and wait for the ones in flight (socket stays open). */
  drain(): Promise<void>;
  /** Drain, close the socket and end the receive loop. */
  close(): Promise<void>;
}

/** Format a Deno address as `ip:port` (`[v6]:port`). */
export function formatAddr(a: Deno.NetAddr): string {
  return a.hostname.includes(":")
    ? `[${a.hostname}]:${a.port}`
    : `${a.hostname}:${a.port}`;
}

/** Split `ip:port` / `[v6]:port`; null when malformed. */
export function splitAddr(
  addr: string,
): { hostname: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(addr) ??
    /^([^:\s]+):(\d{1,5})$/.exec(addr);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { hostname: m[1], port };
}

/** Bind the socket and start the receive loop. */
export function startEndpoint(opts: EndpointOptions): Endpoint {
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: opts.hostname,
    port: opts.port,
  });
  return new UdpEndpoint(conn, opts);
}

class UdpEndpoint implements Endpoint {
  readonly hostname: string;
  readonly port: number;
  #conn: Deno.DatagramConn;
  #opts: EndpointOptions;
  #open = true;
  #draining = false;
  #chains = new Map<string, Promise<void>>();
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #loop: Promise<void>;
  #enc = new TextEncoder();
  #busyWarnedMs = 0;

  constructor(conn: Deno.DatagramConn, opts: EndpointOptions) {
    this.#conn = conn;
    this.#opts = opts;
    const local = conn.addr as Deno.NetAddr;
    this.hostname = local.hostname;
    this.port = local.port;
    this.#loop = this.#receiveLoop();
  }

  isOpen(): boolean {
    return this.#open;
  }

  async send(addr: string, text: string): Promise<void> {
    const to = splitAddr(addr);
    if (!to) throw new Error(`bad GoIP address ${JSON.stringify(addr)}`);
    if (!this.#open) throw new Error("UDP endpoint is closed");
    if (this.#opts.log.enabled("debug")) {
      this.#opts.log.debug(
        `udp -> ${addr}: ${JSON.stringify(maskSecrets(text))}`,
      );
    }
    await this.#conn.send(this.#enc.encode(text), {
      transport: "udp",
      hostname: to.hostname,
      port: to.port,
    });
  }

  async drain(): Promise<void> {
    this.#draining = true;
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  async close(): Promise<void> {
    if (!this.#open) return await this.#loop;
    await this.drain();
    this.#open = false;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    await this.#loop;
  }

  async #receiveLoop(): Promise<void> {
    const log = this.#opts.log;
    // One buffer: each datagram is decoded before the next receive.
    const buf = new Uint8Array(MAX_DATAGRAM_BYTES + 1);
    while (this.#open) {
      let data: Uint8Array;
      let addr: Deno.NetAddr;
      try {
        const [d, a] = await this.#conn.receive(buf);
        data = d;
        addr = a as Deno.NetAddr;
      } catch (err) {
        if (!this.#open) return;
        // e.g. ICMP port unreachable from an earlier send: keep listening.
        log.debug(`udp receive: ${(err as Error).message}`);
        continue;
      }
      this.#accept(data, addr);
    }
  }

  #accept(data: Uint8Array, a: Deno.NetAddr): void {
    const { log, allowSource, onDrop } = this.#opts;
    const addr = formatAddr(a);
    if (this.#draining) return;
    if (allowSource && !allowSource(a.hostname)) {
      log.debug(`udp <- ${addr}: source not allowed, dropped`);
      onDrop?.("source");
      return;
    }
    if (data.length > MAX_DATAGRAM_BYTES) {
      log.debug(`udp <- ${addr}: over ${MAX_DATAGRAM_BYTES} bytes, dropped`);
      onDrop?.("oversized");
      return;
    }
    const text = decodeDatagram(data);
    if (text === null) {
      log.debug(`udp <- ${addr}: ${data.length} bytes not UTF-8, dropped`);
      onDrop?.("encoding");
      return;
    }
    if (this.#inFlight >= (this.#opts.maxInFlight ?? 2000)) {
      // One warning per burst, not one per datagram.
      const now = Date.now();
      if (now - this.#busyWarnedMs > 10_000) {
        this.#busyWarnedMs = now;
        log.warn(`udp <- ${addr}: too many datagrams in flight, dropping`);
      }
      onDrop?.("busy");
      return;
    }
    if (log.enabled("debug")) {
      log.debug(`udp <- ${addr}: ${JSON.stringify(maskSecrets(text))}`);
    }
    this.#inFlight++;
    // In order per line and address: after the one in flight, if any. Lines
    // behind one address (the channels of a box, or a NAT) do not wait for
    // each other's store writes.
    const key = orderKey(text, addr);
    const prev = this.#chains.get(key);
    const next = prev
      ? prev.then(() => this.#handle(text, addr))
      : this.#handle(text, addr);
    this.#chains.set(key, next);
    next.then(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
      if (--this.#inFlight === 0) {
        for (const r of this.#idle.splice(0)) r();
      }
    });
  }

  async #handle(text: string, addr: string): Promise<void> {
    try {
      await this.#opts.onDatagram(text, addr);
    } catch (err) {
      this.#opts.log.error(
        `udp <- ${addr}: handler failed: ${(err as Error)?.message ?? err}`,
      );
    }
  }
}

/**
 * Datagrams with the same key are handled one after another: the address,
 * and the line a packet speaks for (its `id:`, always the second field of a
 * GoIP's own packets); command replies, which carry no id, share the
 * address's key.
 */
export function orderKey(text: string, addr: string): string {
  const m = /^[^;\s]*;id:([^;]*);/.exec(text);
  return m ? `${addr} ${m[1]}` : addr;
}
