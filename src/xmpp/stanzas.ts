/**
 * Pure builders for the stanzas goippy writes: chat messages, XEP-0184
 * receipts, message errors (RFC 6120 §8.3), XEP-0203 delay stamps, presence.
 *
 * @module
 */

import type { InboxItem } from "../store/types.ts";
import { xml, type XmlElement } from "./xml.ts";

/** RFC 6120 stanza error namespace. */
export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
/** XEP-0184 message delivery receipts. */
export const NS_RECEIPTS = "urn:xmpp:receipts";
/** XEP-0203 delayed delivery. */
export const NS_DELAY = "urn:xmpp:delay";
/** XEP-0172 user nickname. */
export const NS_NICK = "http://jabber.org/protocol/nick";

/** RFC 6120 error types. */
export type ErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

/** A stanza error: condition (RFC 6120 §8.3.3), type and a human text. */
export interface StanzaErrorSpec {
  type: ErrorType;
  condition: string;
  text: string;
}

/** `<error type><condition/><text/></error>`. */
export function errorElement(err: StanzaErrorSpec): XmlElement {
  return xml(
    "error",
    { type: err.type },
    xml(err.condition, { xmlns: NS_STANZAS }),
    err.text
      ? xml("text", { xmlns: NS_STANZAS, "xml:lang": "en" }, err.text)
      : null,
  );
}

/** XEP-0203 `<delay xmlns="urn:xmpp:delay" stamp from/>`. */
export function delayElement(stampMs: number, from: string): XmlElement {
  const stamp = new Date(stampMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  return xml("delay", { xmlns: NS_DELAY, stamp, from });
}

/**
 * `<message type="chat" from to id><body/></message>`, with the sender's
 * XEP-0172 nick when one is given.
 */
export function chatMessage(
  from: string,
  to: string,
  body: string,
  id?: string,
  delay?: XmlElement,
  nick?: string,
): XmlElement {
  return xml(
    "message",
    { type: "chat", from, to, id },
    xml("body", {}, body),
    nick ? xml("nick", { xmlns: NS_NICK }, nick) : null,
    delay,
  );
}

/** XEP-0184 `<message from to><received xmlns id=refId/></message>`. */
export function receiptMessage(
  from: string,
  to: string,
  refId: string,
  id?: string,
): XmlElement {
  return xml(
    "message",
    { from, to, id },
    xml("received", { xmlns: NS_RECEIPTS, id: refId }),
  );
}

/**
 * A message error about the user's stanza `refId`. The original id is kept
 * so clients mark that very message as failed; the human text is in
 * `<text/>`, which clients show.
 */
export function errorMessage(
  from: string,
  to: string,
  refId: string,
  err: StanzaErrorSpec,
  delay?: XmlElement,
): XmlElement {
  return xml(
    "message",
    { type: "error", from, to, id: refId || undefined },
    errorElement(err),
    delay,
  );
}

/** Options of {@linkcode inboxStanza}. */
export interface InboxStanzaOptions {
  /** The component's JID (the `from` of delay stamps). */
  componentJid: string;
  /** Add a XEP-0203 delay stamp with the row's creation time. */
  delayed: boolean;
  /** The stanza id to use for chat messages / receipts. */
  id: string;
  /** The user's name for the sender (XEP-0172), for chat messages. */
  nick?: string;
}

/** The stanza for one inbox row. */
export function inboxStanza(
  item: InboxItem,
  opts: InboxStanzaOptions,
): XmlElement {
  const delay = opts.delayed
    ? delayElement(item.createdMs, opts.componentJid)
    : undefined;
  switch (item.kind) {
    case "receipt":
      return receiptMessage(item.fromJid, item.toJid, item.refId, opts.id);
    case "error":
      return errorMessage(item.fromJid, item.toJid, item.refId, {
        type: "cancel",
        condition: "undefined-condition",
        text: item.body,
      }, delay);
    default:
      return chatMessage(
        item.fromJid,
        item.toJid,
        item.body,
        opts.id,
        delay,
        opts.nick,
      );
  }
}

/** A presence stanza; `type` undefined means available. */
export function presence(
  from: string,
  to: string,
  type?: string,
  status?: string,
): XmlElement {
  return xml(
    "presence",
    { from, to, type },
    status ? xml("status", {}, status) : null,
  );
}
