/**
 * The part of xmpp.js (`@xmpp/component` 0.13 with its `@xmpp/connection`,
 * `@xmpp/reconnect`, `@xmpp/middleware` and `@xmpp/iq`) that goippy uses,
 * typed: the package ships no types, so this file is the one place that says
 * what goippy relies on. goippy's code reaches the library through here
 * (and `xml.ts` for the XML builder).
 *
 * @module
 */

import type { Socket } from "node:net";
import { component } from "@xmpp/component";
import type { XmlElement } from "./xml.ts";

/** `component()` options (XEP-0114). */
export interface ComponentOptions {
  /** `xmpp://host:port`. */
  service: string;
  /** The component's JID. */
  domain: string;
  /** The shared secret. */
  password: string;
}

/** The entity's `status`, in the order a connection goes through them. */
export type EntityStatus =
  | "offline"
  | "connecting"
  | "connect"
  | "opening"
  | "open"
  | "online"
  | "closing"
  | "close"
  | "disconnecting"
  | "disconnect";

/** An error the entity emits: stream errors carry a `condition`, socket errors a `code`. */
export interface EntityError extends Error {
  condition?: string;
  code?: string;
}

/** What a middleware sees of an incoming element (`@xmpp/middleware`). */
export interface IncomingContext {
  stanza: XmlElement;
  /** Element name: `message`, `presence`, `iq`, or a nonza's. */
  name: string;
  /** The `type` attribute ("" when absent on an iq). */
  type: string;
  id: string;
  /** An IQ get/set's single child, set by the IQ callee. */
  element?: XmlElement;
}

/** Incoming middleware; what it resolves to (an element) is sent as reply. */
export type Middleware = (
  ctx: IncomingContext,
  next: () => Promise<unknown>,
) => unknown;

/** `xmpp.middleware`. */
export interface MiddlewareApi {
  /** Add an incoming middleware after the library's own (error handler, IQ caller, IQ callee). */
  use(fn: Middleware): Middleware;
}

/**
 * What an IQ callee handler returns: the result's child element, an
 * `<error/>` element (sent as an error reply), `true` for an empty result,
 * or nothing: the library answers `service-unavailable`.
 */
export type IqReply = XmlElement | true | null | undefined;

/** `xmpp.iqCallee`: answers IQ get/set by (namespace, child name). */
export interface IqCallee {
  get(
    ns: string,
    name: string,
    handler: (ctx: IncomingContext) => IqReply | Promise<IqReply>,
  ): void;
  set(
    ns: string,
    name: string,
    handler: (ctx: IncomingContext) => IqReply | Promise<IqReply>,
  ): void;
}

/**
 * `xmpp.iqCaller`: sends an IQ (an `id` is added when missing) and resolves
 * with the result; rejects with a `StanzaError` (name `"StanzaError"`) on an
 * error reply, a `TimeoutError` after `timeoutMs`, or the send's error.
 */
export interface IqCaller {
  request(stanza: XmlElement, timeoutMs?: number): Promise<XmlElement>;
}

/** `xmpp.reconnect` (`@xmpp/reconnect`). */
export interface Reconnect {
  /** Milliseconds from a `disconnect` to the next attempt, read at each `disconnect`. */
  delay: number;
  /** No more automatic attempts (drops the pending one). */
  stop(): void;
}

/** The entity `component()` returns. */
export interface XmppComponent {
  readonly status: EntityStatus;
  /**
   * Milliseconds the library waits for the server's stream header, the
   * handshake answer and the stream close (default 2000).
   */
  timeout: number;
  /** The current TCP socket, `null` between connections. */
  readonly socket: Socket | null;
  readonly reconnect: Reconnect;
  readonly middleware: MiddlewareApi;
  readonly iqCaller: IqCaller;
  readonly iqCallee: IqCallee;
  /** Connect and hand-shake; rejects when the first attempt fails. */
  start(): Promise<unknown>;
  /** `</stream:stream>`, wait for the server's close, close the socket. */
  stop(): Promise<unknown>;
  send(el: XmlElement): Promise<void>;
  /** Emitted before the event of the same name, on every status change. */
  on(event: "status", fn: (status: EntityStatus) => void): void;
  on(event: "error", fn: (err: EntityError) => void): void;
  once(event: "disconnect", fn: () => void): void;
  removeListener(event: "disconnect", fn: () => void): void;
}

/** `component()` of `@xmpp/component`, typed. */
export const createComponent: (opts: ComponentOptions) => XmppComponent =
  component;
