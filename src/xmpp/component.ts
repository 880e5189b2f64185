/**
 * The XEP-0114 connection to the users' XMPP server, kept up by goippy's own
 * loop (the library's fixed-delay reconnect is switched off): backoff 1 s
 * doubling to 60 s with ±20 % jitter, 60 s after a rejected secret, and a
 * XEP-0199 ping watchdog that drops a connection whose server stops
 * answering (noticed within {@linkcode ComponentLinkOptions.pingIntervalMs}
 * + {@linkcode ComponentLinkOptions.pingTimeoutMs}).
 *
 * @module
 */

import { component } from "@xmpp/component";
import type { Logger } from "../log.ts";
import { xml, type XmlElement } from "./xml.ts";

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
  /** Every stanza except answers to our own pings. */
  onStanza: (el: XmlElement) => void;
  /** After each successful handshake. */
  onOnline?: () => void;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Backoff bounds (tests shorten them). */
  minDelayMs?: number;
  maxDelayMs?: number;
  authRetryMs?: number;
}

// deno-lint-ignore no-explicit-any
type Xmpp = any;

/** Next backoff delay: doubled, capped. */
export function nextDelay(delayMs: number, maxMs: number): number {
  return Math.min(delayMs * 2, maxMs);
}

/** ±20 % jitter around `delayMs`. */
export function withJitter(delayMs: number, random = Math.random()): number {
  return Math.round(delayMs * (0.8 + 0.4 * random));
}

/** One component connection with reconnects and a watchdog. */
export class ComponentLink {
  #o: Required<ComponentLinkOptions>;
  #state: LinkState = "off";
  #xmpp: Xmpp = null;
  #stopped = true;
  #run: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #sleepTimer: ReturnType<typeof setTimeout> | undefined;
  #pings = new Map<string, (ok: boolean) => void>();
  #seq = 0;
  /** Counts successful connections (1 after the first). */
  generation = 0;

  constructor(opts: ComponentLinkOptions) {
    this.#o = {
      ...opts,
      onOnline: opts.onOnline ?? (() => {}),
      pingIntervalMs: opts.pingIntervalMs ?? 30_000,
      pingTimeoutMs: opts.pingTimeoutMs ?? 30_000,
      minDelayMs: opts.minDelayMs ?? 1000,
      maxDelayMs: opts.maxDelayMs ?? 60_000,
      authRetryMs: opts.authRetryMs ?? 60_000,
    };
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
    this.#run = this.#loop();
  }

  /** Close the stream properly (`</stream:stream>`) and stop retrying. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    const x = this.#xmpp;
    if (x && x.status === "online") {
      // `</stream:stream>`, then wait (at most 1.5 s) for the server's own close
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        x.stop().catch(() => {}),
        new Promise((r) => timer = setTimeout(r, 1500)),
      ]);
      clearTimeout(timer);
    }
    if (x) this.#kill(x);
    await this.#run;
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
   * disconnect. An answer proves every stanza written before it was read.
   */
  ping(timeoutMs = this.#o.pingTimeoutMs): Promise<boolean> {
    const id = `goippy-ping-${++this.#seq}-${crypto.randomUUID().slice(0, 8)}`;
    const iq = xml(
      "iq",
      { type: "get", id, from: this.#o.jid, to: this.#o.pingTo },
      xml("ping", { xmlns: "urn:xmpp:ping" }),
    );
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.#pings.delete(id);
        resolve(ok);
      };
      this.#pings.set(id, done);
      this.send(iq).catch(() => done(false));
    });
  }

  async #loop(): Promise<void> {
    let delay = this.#o.minDelayMs;
    while (!this.#stopped) {
      this.#state = "connecting";
      const outcome = await this.#attempt();
      if (this.#stopped) break;
      let wait: number;
      if (outcome === "auth") {
        wait = this.#o.authRetryMs;
      } else {
        if (outcome === "was-online") delay = this.#o.minDelayMs;
        wait = withJitter(delay);
        delay = nextDelay(delay, this.#o.maxDelayMs);
      }
      this.#o.log.info(`XMPP: reconnecting in ${(wait / 1000).toFixed(1)} s`);
      await this.#sleep(wait);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = () => {
        clearTimeout(this.#sleepTimer);
        this.#wake = null;
        resolve();
      };
      this.#sleepTimer = setTimeout(() => this.#wake?.(), ms);
    });
  }

  #kill(x: Xmpp): void {
    try {
      x.socket?.destroy();
    } catch {
      // already gone
    }
  }

  /** One connection from dial to drop. */
  async #attempt(): Promise<"auth" | "failed" | "was-online"> {
    const { host, port, jid, secret, log } = this.#o;
    const x: Xmpp = component({
      service: `xmpp://${host}:${port}`,
      domain: jid,
      password: secret,
    });
    x.reconnect.stop();
    // The library's middleware would answer IQs a second time (its own
    // service-unavailable): goippy answers every stanza itself.
    for (const l of x.listeners("element")) x.removeListener("element", l);
    x.timeout = 10_000;
    this.#xmpp = x;
    let authRejected = false;
    let lastError = "";
    let ended!: () => void;
    const closed = new Promise<void>((r) => ended = r);
    x.on(
      "error",
      (err: { condition?: string; message?: string; code?: string }) => {
        if (err?.condition === "not-authorized") authRejected = true;
        lastError = err?.condition ?? err?.code ?? err?.message ?? String(err);
      },
    );
    x.on("disconnect", () => ended());
    x.on("offline", () => ended());
    x.on("stanza", (el: XmlElement) => this.#onStanza(el));

    let online = false;
    const giveUp = setTimeout(() => this.#kill(x), 30_000);
    try {
      await Promise.race([
        x.start(),
        closed.then(() => {
          throw new Error("connection closed");
        }),
      ]);
      online = true;
      // A stanza and the ping after it must not wait for the server's
      // delayed ACK (Nagle): ~40 ms per batch to an online user otherwise.
      x.socket?.setNoDelay?.(true);
    } catch (err) {
      if (!lastError) lastError = (err as Error)?.message ?? String(err);
    } finally {
      clearTimeout(giveUp);
    }
    if (!online || this.#stopped) {
      this.#kill(x);
      let t: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([closed, new Promise((r) => t = setTimeout(r, 100))]);
      clearTimeout(t);
      this.#xmpp = null;
      if (authRejected) {
        log.error(`component secret rejected by ${host}:${port}`);
        return "auth";
      }
      if (!this.#stopped) {
        log.warn(
          `XMPP: cannot connect to ${host}:${port} as ${jid}: ${lastError}`,
        );
      }
      return "failed";
    }

    this.generation++;
    this.#state = "connected";
    log.info(`XMPP: connected to ${host}:${port} as ${jid}`);
    try {
      this.#o.onOnline();
    } catch (err) {
      log.error(`XMPP: onOnline failed: ${err}`);
    }
    const watchdog = this.#watchdog(x, closed);
    await closed;
    this.#state = "connecting";
    this.#xmpp = null;
    for (const done of [...this.#pings.values()]) done(false);
    await watchdog;
    if (!this.#stopped) {
      log.warn(
        `XMPP: connection to ${host}:${port} lost${
          lastError ? ` (${lastError})` : ""
        }`,
      );
    }
    return "was-online";
  }

  async #watchdog(x: Xmpp, closed: Promise<void>): Promise<void> {
    let open = true;
    closed.then(() => open = false);
    while (open && !this.#stopped) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        closed,
        new Promise((r) => timer = setTimeout(r, this.#o.pingIntervalMs)),
      ]);
      clearTimeout(timer);
      if (!open || this.#stopped) return;
      const ok = await this.ping();
      if (!ok && open && !this.#stopped) {
        this.#o.log.warn(
          `XMPP: server did not answer a ping within ${
            this.#o.pingTimeoutMs / 1000
          } s; reconnecting`,
        );
        this.#kill(x);
        return;
      }
    }
  }

  #onStanza(el: XmlElement): void {
    if (
      el.name === "iq" &&
      (el.attrs.type === "result" || el.attrs.type === "error")
    ) {
      const done = this.#pings.get(el.attrs.id ?? "");
      if (done) {
        done(true);
        return;
      }
    }
    try {
      this.#o.onStanza(el);
    } catch (err) {
      this.#o.log.error(`XMPP: stanza handler failed: ${err}`);
    }
  }
}
