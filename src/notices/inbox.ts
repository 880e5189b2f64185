/**
 * Every message goippy queues for an XMPP user, built in one place: who it
 * comes from (a phone contact, the user's own line, the JID the user wrote
 * to), who it goes to, and what it says. The inbound handlers and the
 * outbound reporter only decide *when* one is due; the XMPP deliverer sends
 * the rows as they are.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { NewInboxItem, OutboxItem } from "../store/types.ts";
import { numberToJid, ownLineJid } from "../xmpp/jid.ts";
import { lineUserJid } from "../xmpp/line_jid.ts";

/** The config keys that name the XMPP side. */
export type Addressing = Pick<Config, "XMPP_COMPONENT_JID" | "XMPP_DOMAIN">;

/** The line a notice is about. */
export interface LineRef {
  goipId: string;
  ext: string;
  /** The JID that registered the line, if one did. */
  xmppJid?: string;
}

/** A phone contact's JID, or the component itself when the number is unknown. */
export function contactJid(number: string, componentJid: string): string {
  return number ? numberToJid(number, componentJid) : componentJid;
}

/** An SMS that arrived on a line, from `srcnum` to the line's user. */
export function incomingSms(
  line: LineRef,
  srcnum: string,
  body: string,
  a: Addressing,
): NewInboxItem {
  return {
    kind: "chat",
    fromJid: contactJid(srcnum, a.XMPP_COMPONENT_JID),
    toJid: lineUserJid(line, a.XMPP_DOMAIN),
    body,
    refId: "",
    goipId: line.goipId,
  };
}

/** An incoming call that ended (missed or answered), from the caller. */
export function callEnded(
  line: LineRef,
  num: string,
  cause: string,
  states: string[] | undefined,
  a: Addressing,
): NewInboxItem {
  return {
    kind: "chat",
    fromJid: contactJid(num, a.XMPP_COMPONENT_JID),
    toJid: lineUserJid(line, a.XMPP_DOMAIN),
    body: callEndText(num, cause, states),
    refId: "",
    goipId: line.goipId,
  };
}

/** A USSD message the network sent unasked (USSN), from the user's own line. */
export function unsolicitedUssd(
  line: LineRef,
  msisdn: string,
  text: string,
  a: Addressing,
): NewInboxItem {
  return {
    kind: "chat",
    fromJid: ownLineJid(msisdn, a.XMPP_COMPONENT_JID),
    toJid: lineUserJid(line, a.XMPP_DOMAIN),
    body: ussdText(text),
    refId: "",
    goipId: line.goipId,
  };
}

/** Does the sender of `item` get told of its outcome over XMPP? */
export function toldOverXmpp(item: OutboxItem): boolean {
  return item.origin === "xmpp" && item.fromJid !== "";
}

/** The answer to a USSD request the user sent (on time or late). */
export function ussdAnswer(item: OutboxItem, text: string): NewInboxItem {
  return reply(item, "chat", ussdText(text), "");
}

/** A delivery receipt (XEP-0184) for the user's SMS. */
export function deliveryReceipt(item: OutboxItem): NewInboxItem {
  return reply(item, "receipt", "", item.stanzaId);
}

/** A message error for the user's SMS/USSD: it failed, expired or is uncertain. */
export function sendError(item: OutboxItem, text: string): NewInboxItem {
  return reply(item, "error", text, item.stanzaId);
}

/** The text of a delivery report that says the SMS did not arrive. */
export function notDeliveredText(to: string): string {
  return `not delivered to ${to}`;
}

/** The user's text for an incoming call that ended. */
export function callEndText(
  num: string,
  cause: string,
  states: string[] | undefined,
): string {
  const who = num || "unknown number";
  if (!states || states.length === 0) {
    return `Call from ${who} ended: ${cause || "no cause given"}`;
  }
  const answered = states.some((s) => /^(CONNECTED|ACTIVE)\b/i.test(s));
  return answered
    ? `Call from ${who} ended (${cause || "no cause given"})`
    : `Missed call from ${who}`;
}

function ussdText(text: string): string {
  return `[USSD] ${text}`;
}

/** From the JID the user wrote to, back to the user. */
function reply(
  item: OutboxItem,
  kind: NewInboxItem["kind"],
  body: string,
  refId: string,
): NewInboxItem {
  return {
    kind,
    fromJid: item.toJid,
    toJid: item.fromJid,
    body,
    refId,
    goipId: item.goipId,
  };
}
