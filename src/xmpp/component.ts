/**
 * The XEP-0114 connection to the users' XMPP server, composed from
 * `@xmpp/component`'s own parts: its reconnect (with goippy's backoff as the
 * delay: 1 s doubling to 60 s with ±20 % jitter, 60 s after a rejected
 * secret), its IQ caller for pings, its IQ callee for the IQs goippy answers
 * and its middleware for every other stanza. Added on top: a XEP-0199 ping
 * watchdog that drops a connection whose server stops answering (noticed
 * within {@linkcode ComponentLinkOptions.pingIntervalMs} +
 * {@linkcode ComponentLinkOptions.pingTimeoutMs}), a deadline for getting
 * online, and TCP_NODELAY.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { Backoff } from "./backoff.ts";
import type { IqRoute } from "./iq.ts";
import { xml, type XmlElement } from "./xml.ts";
import {
  createComponent,
  type EntityError,
  type EntityStatus,
  type XmppComponent,
} from "./xmppjs.ts";

/** `connected`: stream up; `connecting`: trying/waiting to retry; `off`: stopped. */
export type LinkState = "connected" | "connecting" | "off";

/** How to reach the server and whom to tell about stanzas. */
export interface ComponentLinkOptions {
  host: string;
  port: number;
  /** The component's JID (XMPP_COMPONENT_JID). */
  jid: string;
  secret: string;
  /** Where watchdog pings go (the users' domain). */
  pingTo: string;
  log: Logger;
  /** Every message and presence (IQs are answered through `iqRoutes`). */
  onStanza: (el: XmlElement) => void;
  /** The IQ get/set answered; every other one gets an error reply. */
  iqRoutes?: readonly IqRoute[];
  /** After each successful handshake. */
  onOnline?: () => void;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Backoff bounds (tests shorten them). */
  minDelayMs?: number;
  maxDelayMs?: number;
  authRetryMs?: number;
}

/**
 * How long the library waits for the server's stream header, its handshake
 * answer and its stream close; its default (2 s) is short for a loaded server.
 */
const STREAM_TIMEOUT_MS = 10_000;
/** A connection attempt not online by then is dropped and retried. */
const ONLINE_DEADLINE_MS = 30_000;
/** At stop, how long the server gets to answer `</stream:stream>`. */
const STOP_WAIT_MS = 1500;

/** One online stream; `closed` resolves when its socket is gone. */
interface Stream {
  closed: Promise<void>;
  end(): void;
}

/** What went wrong in the current connection (for the log line at its end). */
interface Attempt {
  authRejected: boolean;
  lastError: string;
}

/** One component connection with reconnects and a watchdog. */
export class ComponentLink {
  #o: Required<ComponentLinkOptions>;
  #state: LinkState = "off";
  #xmpp: XmppComponent | null = null;
  #stopped = true;
  #backoff: Backoff;
  #attempt: Attempt = { authRejected: false, lastError: "" };
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #stream: Stream | null = null;
  #watchdog: Promise<void> = Promise.resolve();

  constructor(opts: ComponentLinkOptions) {
    this.#o = {
      ...opts,
      iqRoutes: opts.iqRoutes ?? [],
      onOnline: opts.onOnline ?? (() => {}),
      pingIntervalMs: opts.pingIntervalMs ?? 30_000,
      pingTimeoutMs: opts.pingTimeoutMs ?? 30_000,
      minDelayMs: opts.minDelayMs ?? 1000,
      maxDelayMs: opts.maxDelayMs ?? 60_000,
      authRetryMs: opts.authRetryMs ?? 60_000,
    };
    this.#backoff = new Backoff(this.#o.minDelayMs, this.#o.maxDelayMs);
  }

  /** The current state. */
  state(): LinkState {
    return this.#state;
  }

  /** Start connecting (returns at once). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#state = "connecting";
    const { host, port, jid, secret } = this.#o;
    const x = createComponent({
      service: `xmpp://${host}:${port}`,
      domain: jid,
      password: secret,
    });
    this.#xmpp = x;
    x.timeout = STREAM_TIMEOUT_MS;
    x.on("error", (err) => {
      if (x === this.#xmpp) this.#onError(err);
    });
    // "status" comes just before the event of the same name, on which the
    // library's reconnect reads its delay: see #disconnected.
    x.on("status", (status) => {
      if (x === this.#xmpp) this.#onStatus(x, status);
    });
    for (const r of this.#o.iqRoutes) {
      x.iqCallee[r.type](
        r.ns,
        r.name,
        (ctx) => r.answer(ctx.stanza, ctx.element!),
      );
    }
    // Last in the chain: the library's IQ caller has taken the answers to
    // our pings, its IQ callee has answered every IQ get/set.
    x.middleware.use((ctx, next) => {
      if (ctx.name !== "message" && ctx.name !== "presence") return next();
      try {
        this.#o.onStanza(ctx.stanza);
      } catch (err) {
        this.#o.log.error(`XMPP: stanza handler failed: ${err}`);
      }
    });
    // failures arrive as "error" and "disconnect"; the library retries them
    x.start().catch(() => {});
  }

  /** Close the stream properly (`</stream:stream>`) and stop retrying. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const x = this.#xmpp;
    if (x) {
      x.reconnect.stop();
      clearTimeout(this.#deadline);
      if (x.status === "online") {
        await within(x.stop().catch(() => {}), STOP_WAIT_MS);
      }
      if (x.socket) {
        // the server did not close (frozen), or a handshake was under way
        let gone!: () => void;
        const closed = new Promise<void>((r) => gone = r);
        x.once("disconnect", gone);
        this.#drop(x);
        await within(closed, 100);
        x.removeListener("disconnect", gone);
      }
    }
    this.#stream?.end();
    this.#stream = null;
    await this.#watchdog;
    this.#xmpp = null;
    this.#state = "off";
  }

  /** Write a stanza; throws when not connected. */
  async send(el: XmlElement): Promise<void> {
    const x = this.#xmpp;
    if (this.#state !== "connected" || !x) {
      throw new Error("XMPP not connected");
    }
    await x.send(el);
  }

  /**
   * Send a XEP-0199 ping to the server on the current stream; true when an
   * answer (result or error) arrives within `timeoutMs`, false on timeout or
   * when this stream ends first. An answer proves every stanza written
   * before it was read.
   */
  ping(timeoutMs = this.#o.pingTimeoutMs): Promise<boolean> {
    const x = this.#xmpp;
    const stream = this.#stream;
    if (this.#state !== "connected" || !x || !stream) {
      return Promise.resolve(false);
    }
    const iq = xml(
      "iq",
      { type: "get", from: this.#o.jid, to: this.#o.pingTo },
      xml("ping", { xmlns: "urn:xmpp:ping" }),
    );
    // Answers are matched to requests by the library's IQ caller, and
    // nowhere else: one place to change should replies come to another
    // connection of the same component.
    const answered = x.iqCaller.request(iq, timeoutMs).then(
      () => true,
      (err: Error) => err?.name === "StanzaError",
    );
    return Promise.race([answered, stream.closed.then(() => false)]);
  }

  #onError(err: EntityError): void {
    if (err?.condition === "not-authorized") this.#attempt.authRejected = true;
    this.#attempt.lastError = err?.condition ?? err?.code ?? err?.message ??
      String(err);
  }

  #onStatus(x: XmppComponent, status: EntityStatus): void {
    if (status === "connecting") {
      this.#attempt = { authRejected: false, lastError: "" };
      clearTimeout(this.#deadline);
      this.#deadline = setTimeout(() => {
        this.#attempt.lastError ||= `not online within ${
          ONLINE_DEADLINE_MS / 1000
        } s`;
        this.#drop(x);
      }, ONLINE_DEADLINE_MS);
    } else if (status === "connect") {
      // A stanza and the ping after it must not wait for the server's
      // delayed ACK (Nagle): ~40 ms per batch to an online user otherwise.
      x.socket?.setNoDelay(true);
    } else if (status === "online") {
      this.#online(x);
    } else if (status === "disconnect") {
      this.#disconnected(x);
    }
  }

  /**
   * Abandon the connection now. The library's own `disconnect()` half-closes
   * and waits for the server's close, which a frozen server never sends.
   */
  #drop(x: XmppComponent): void {
    x.socket?.destroy();
  }

  #online(x: XmppComponent): void {
    clearTimeout(this.#deadline);
    if (this.#stopped) return;
    const { host, port, jid, log } = this.#o;
    let end!: () => void;
    const closed = new Promise<void>((r) => end = r);
    const stream = { closed, end };
    this.#stream = stream;
    this.#backoff.reset();
    this.#state = "connected";
    log.info(`XMPP: connected to ${host}:${port} as ${jid}`);
    try {
      this.#o.onOnline();
    } catch (err) {
      log.error(`XMPP: onOnline failed: ${err}`);
    }
    this.#watchdog = this.#watch(x, stream);
  }

  /**
   * The socket is gone: log why and set the wait before the library's next
   * attempt. Its reconnect waits a fixed `delay`, read when "disconnect" is
   * emitted; this runs on the "status" event just before, so the delay it
   * reads is goippy's.
   */
  #disconnected(x: XmppComponent): void {
    clearTimeout(this.#deadline);
    const stream = this.#stream;
    this.#stream = null;
    stream?.end();
    if (this.#stopped) return;
    this.#state = "connecting";
    const { host, port, jid, log } = this.#o;
    const { authRejected, lastError } = this.#attempt;
    let wait: number;
    if (stream) {
      log.warn(
        `XMPP: connection to ${host}:${port} lost${
          lastError ? ` (${lastError})` : ""
        }`,
      );
      wait = this.#backoff.next();
    } else if (authRejected) {
      log.error(`component secret rejected by ${host}:${port}`);
      wait = this.#o.authRetryMs;
    } else {
      log.warn(
        `XMPP: cannot connect to ${host}:${port} as ${jid}: ${
          lastError || "connection closed"
        }`,
      );
      wait = this.#backoff.next();
    }
    x.reconnect.delay = wait;
    log.info(`XMPP: reconnecting in ${(wait / 1000).toFixed(1)} s`);
  }

  /** Ping every interval; drop the connection when an answer is missing. */
  async #watch(x: XmppComponent, stream: Stream): Promise<void> {
    const { pingIntervalMs, pingTimeoutMs, log } = this.#o;
    let open = true;
    stream.closed.then(() => open = false);
    while (true) {
      await within(stream.closed, pingIntervalMs);
      if (!open || this.#stopped) return;
      const ok = await this.ping(pingTimeoutMs);
      if (!open || this.#stopped) return;
      if (!ok) {
        log.warn(
          `XMPP: server did not answer a ping within ${
            pingTimeoutMs / 1000
          } s; reconnecting`,
        );
        this.#drop(x);
        return;
      }
    }
  }
}

/** Wait for `p`, at most `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise((r) => timer = setTimeout(r, ms))]);
  clearTimeout(timer);
}
