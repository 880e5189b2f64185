/**
 * A real XMPP user for the tests: `@xmpp/client` connected over loopback
 * (plain SASL, no TLS) to a server the test started. Records every stanza it
 * receives, answers nothing by itself except what xmpp.js answers (ping,
 * unknown IQ errors).
 *
 * ```ts
 * const alice = await connectUser({
 *   port: server.c2sPort,
 *   domain: "example.org",
 *   user: "2001",
 *   password: "pw",
 * });
 * await alice.sendMessage("+3725551234@sms.example.org", "hi");
 * const reply = await alice.waitForMessage((m) => m.attrs.from === "…", 15_000);
 * await alice.stop();
 * ```
 *
 * Leaks: none. `stop()` closes the stream and the socket and leaves no timer
 * behind, also when the server is already gone (stopped, restarted) or frozen
 * (SIGSTOP: `stop()` then takes xmpp.js's stream-close timeout, ~4 s); the
 * harness tests run with Deno's sanitizers on. Reconnecting is off: a user
 * whose server went away stays offline; connect a new one.
 *
 * @module
 */

import { client } from "@xmpp/client";
import { xml, type XmlElement } from "../../src/xmpp/xml.ts";

export type { XmlElement };
export { xml };

/** Options of {@linkcode connectUser}. */
export interface ConnectUserOptions {
  /** The server's c2s port on 127.0.0.1. */
  port: number;
  domain: string;
  user: string;
  password: string;
  /** Resource to bind; default `"test"`. */
  resource?: string;
  /** Send initial presence (and fetch the roster first); default true. */
  presence?: boolean;
}

/** Options of {@linkcode XmppUser.sendMessage}. */
export interface SendMessageOptions {
  /** Stanza id; a fresh one by default. */
  id?: string;
  /** Ask for a XEP-0184 receipt. */
  receipt?: boolean;
  /** Message type; default `"chat"`. */
  type?: string;
}

/** A connected XMPP user. */
export interface XmppUser {
  /** Full JID bound by the server, e.g. `2001@example.org/test`. */
  jid: string;
  /** Bare JID, e.g. `2001@example.org`. */
  bareJid: string;
  /** Every stanza received, in order. */
  stanzas: XmlElement[];
  /** The `<message>` stanzas among them. */
  messages: XmlElement[];
  /** Send any stanza. */
  send(el: XmlElement): Promise<void>;
  /** Send a message with a body; resolves with its id. */
  sendMessage(
    to: string,
    body: string,
    opts?: SendMessageOptions,
  ): Promise<string>;
  /** Send an IQ (an `id` is added when missing); resolves with the result or error stanza. */
  iq(el: XmlElement, timeoutMs?: number): Promise<XmlElement>;
  /** First stanza (already received or arriving) matching `pred`. */
  waitFor(
    pred: (s: XmlElement) => boolean,
    timeoutMs: number,
  ): Promise<XmlElement>;
  /** First message stanza matching `pred`. */
  waitForMessage(
    pred: (m: XmlElement) => boolean,
    timeoutMs: number,
  ): Promise<XmlElement>;
  /** The latest presence received from `jid` (bare JIDs match any resource). */
  presenceOf(jid: string): XmlElement | undefined;
  /** Close the stream and the socket. Safe to call twice. */
  stop(): Promise<void>;
}

/** Bare form of a JID string. */
export function bare(jid: string | undefined): string {
  return (jid ?? "").split("/")[0];
}

/** Connect a user and wait until the session is established. */
export async function connectUser(opts: ConnectUserOptions): Promise<XmppUser> {
  const c = client({
    service: `xmpp://127.0.0.1:${opts.port}`,
    domain: opts.domain,
    username: opts.user,
    password: opts.password,
    resource: opts.resource ?? "test",
  });
  c.reconnect.stop();
  const stanzas: XmlElement[] = [];
  const messages: XmlElement[] = [];
  const waiters = new Set<() => void>();
  let seq = 0;
  let stopped = false;
  const nextId = () => `u${Date.now().toString(36)}${++seq}`;

  // Errors after stop/close (ECONNRESET …) are expected; before, `start()` rejects.
  c.on("error", () => {});
  c.on("stanza", (s: XmlElement) => {
    stanzas.push(s);
    if (s.is("message")) messages.push(s);
    for (const w of [...waiters]) w();
  });

  const waitFor = (
    pred: (s: XmlElement) => boolean,
    timeoutMs: number,
    from: XmlElement[] = stanzas,
  ): Promise<XmlElement> => {
    const found = from.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = from.find(pred);
        if (!hit) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `${opts.user}: no matching stanza within ${timeoutMs} ms; got:\n` +
              from.map((s) => s.toString()).join("\n"),
          ),
        );
      }, timeoutMs);
      waiters.add(check);
    });
  };

  const send = (el: XmlElement): Promise<void> => c.send(el);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      await c.stop();
    } catch {
      // the server is already gone
    }
  };

  try {
    const address = await c.start();
    const jid = String(address);
    const user: XmppUser = {
      jid,
      bareJid: bare(jid),
      stanzas,
      messages,
      send,
      async sendMessage(to, body, o = {}) {
        const id = o.id ?? nextId();
        await send(
          xml(
            "message",
            { to, id, type: o.type ?? "chat" },
            xml("body", {}, body),
            o.receipt ? xml("request", { xmlns: "urn:xmpp:receipts" }) : null,
          ),
        );
        return id;
      },
      async iq(el, timeoutMs = 15_000) {
        if (!el.attrs.id) el.attrs.id = nextId();
        const id = el.attrs.id;
        await send(el);
        return await waitFor(
          (s) =>
            s.is("iq") && s.attrs.id === id &&
            (s.attrs.type === "result" || s.attrs.type === "error"),
          timeoutMs,
        );
      },
      waitFor: (pred, timeoutMs) => waitFor(pred, timeoutMs),
      waitForMessage: (pred, timeoutMs) => waitFor(pred, timeoutMs, messages),
      presenceOf(of) {
        const wantBare = !of.includes("/");
        for (let i = stanzas.length - 1; i >= 0; i--) {
          const s = stanzas[i];
          if (!s.is("presence")) continue;
          const from = s.attrs.from ?? "";
          if (from === of || (wantBare && bare(from) === of)) return s;
        }
        return undefined;
      },
      stop,
    };
    if (opts.presence ?? true) {
      await user.iq(
        xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })),
      );
      await send(xml("presence"));
      // The server handles one stream's stanzas in order: once this ping is
      // answered the presence is in effect, so a message to the bare JID
      // reaches this resource instead of offline storage.
      await user.iq(
        xml(
          "iq",
          { type: "get", to: opts.domain },
          xml("ping", { xmlns: "urn:xmpp:ping" }),
        ),
      );
    }
    return user;
  } catch (e) {
    await stop();
    throw new Error(
      `XMPP user ${opts.user}@${opts.domain} could not connect: ${
        (e as Error).message
      }`,
    );
  }
}
