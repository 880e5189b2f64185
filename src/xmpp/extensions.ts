/**
 * What a user's `<message/>` carries besides its `<body/>`: the extensions
 * today's clients add, read into plain data for {@linkcode classifyMessage}.
 * Clients put a readable fallback body on things that are not text
 * (reactions, retractions, encrypted payloads); goippy must recognise them so
 * that fallback never becomes an SMS. Pure: no I/O, never throws.
 *
 * @module
 */

import type { XmlElement } from "./xml.ts";

/** XEP-0444 message reactions. */
export const NS_REACTIONS = "urn:xmpp:reactions:0";
/** XEP-0424 message retraction (current version). */
export const NS_RETRACT = "urn:xmpp:message-retract:1";
/** XEP-0424 message retraction, version 0 (inside a XEP-0422 apply-to). */
export const NS_RETRACT_0 = "urn:xmpp:message-retract:0";
/** XEP-0422 message fastening. */
export const NS_FASTEN = "urn:xmpp:fasten:0";
/** XEP-0308 last message correction. */
export const NS_CORRECT = "urn:xmpp:message-correct:0";
/** XEP-0461 message replies. */
export const NS_REPLY = "urn:xmpp:reply:0";
/** XEP-0428 fallback indication. */
export const NS_FALLBACK = "urn:xmpp:fallback:0";
/** XEP-0066 out of band data. */
export const NS_OOB = "jabber:x:oob";

/**
 * Encryption payloads, by namespace, with the name users know. An OMEMO
 * element without a `<payload/>` is a key exchange, not a message.
 */
const ENCRYPTED: [name: string, ns: string, what: string, payload?: string][] =
  [
    ["encrypted", "eu.siacs.conversations.axolotl", "OMEMO", "payload"],
    ["encrypted", "urn:xmpp:omemo:2", "OMEMO", "payload"],
    ["openpgp", "urn:xmpp:openpgp:0", "OpenPGP"],
    ["x", "jabber:x:encrypted", "OpenPGP"],
  ];

/** The extensions of one message that change what goippy does with it. */
export interface MessageExtensions {
  /** XEP-0444: the message is a reaction. */
  reaction: boolean;
  /** XEP-0424: the id of the message the user retracts. */
  retractId?: string;
  /** XEP-0308: the id of the message this one corrects. */
  replaceId?: string;
  /** The encryption used (OMEMO, OpenPGP, OTR), when the payload is encrypted. */
  encrypted?: string;
  /** The body with every XEP-0461 reply fallback range removed, when there is one. */
  replyText?: string;
  /** XEP-0066: the URL of a shared file. */
  oobUrl?: string;
}

/** Read the extensions of a `<message/>`; `body` is its `<body/>` text. */
export function readExtensions(
  el: XmlElement,
  body: string | null,
): MessageExtensions {
  const ext: MessageExtensions = {
    reaction: !!el.getChild("reactions", NS_REACTIONS),
  };
  const retract = el.getChild("retract", NS_RETRACT);
  const applyTo = el.getChild("apply-to", NS_FASTEN);
  if (retract?.attrs.id) ext.retractId = retract.attrs.id;
  else if (applyTo?.attrs.id && applyTo.getChild("retract", NS_RETRACT_0)) {
    ext.retractId = applyTo.attrs.id;
  }
  const replace = el.getChild("replace", NS_CORRECT);
  if (replace?.attrs.id) ext.replaceId = replace.attrs.id;
  for (const [name, ns, what, payload] of ENCRYPTED) {
    const found = el.getChild(name, ns);
    if (found && (!payload || found.getChild(payload))) ext.encrypted = what;
  }
  if (!ext.encrypted && body?.startsWith("?OTR")) ext.encrypted = "OTR";
  if (body !== null && el.getChild("reply", NS_REPLY)) {
    const ranges = fallbackRanges(el, NS_REPLY);
    if (ranges.length) ext.replyText = cutRanges(body, ranges);
  }
  const url = el.getChild("x", NS_OOB)?.getChildText("url")?.trim();
  if (url) ext.oobUrl = url;
  return ext;
}

/** The `<body start end/>` ranges of the XEP-0428 fallbacks `for` a namespace. */
function fallbackRanges(el: XmlElement, forNs: string): [number, number][] {
  const out: [number, number][] = [];
  for (const fb of el.getChildren("fallback", NS_FALLBACK)) {
    if (fb.attrs.for !== forNs) continue;
    for (const b of fb.getChildren("body")) {
      const start = Number(b.attrs.start);
      const end = Number(b.attrs.end);
      if (Number.isInteger(start) && Number.isInteger(end) && end > start) {
        out.push([start, end]);
      }
    }
  }
  return out;
}

/**
 * `text` without the ranges, counted in Unicode code points (XEP-0426), as
 * clients count them; whitespace the cut leaves at the edges is trimmed.
 */
export function cutRanges(text: string, ranges: [number, number][]): string {
  const chars = [...text];
  const keep = chars.map(() => true);
  for (const [start, end] of ranges) {
    for (let i = Math.max(0, start); i < Math.min(end, chars.length); i++) {
      keep[i] = false;
    }
  }
  return chars.filter((_, i) => keep[i]).join("").trim();
}
