/**
 * What to do with a message a user sends to the component: pure decisions,
 * no I/O. {@linkcode classifyMessage} looks at the stanza alone;
 * {@linkcode decideRoute} finishes the decision once the sender's gateway is
 * known. A refusal carries the stanza error to send back; nothing is queued.
 *
 * `allow_regex` is matched like the original goippy's Python `re.match`:
 * anchored at the start of the number, not at its end (`\+372` allows every
 * Estonian number; write `…$` to pin the end).
 *
 * @module
 */

import type { Gateway } from "../store/types.ts";
import {
  allowRegexMatches,
  MAX_SMS_BYTES,
  NUMBER_RE,
  USSD_CODE_RE,
} from "../destination.ts";
import {
  type ContactCommand,
  parseContactCommand,
} from "./contact_commands.ts";
import type { MessageExtensions } from "./extensions.ts";
import { splitJid, unescapeLocal } from "./jid.ts";
import type { StanzaErrorSpec } from "./stanzas.ts";

/** Words answered by goippy itself on the own line. */
export const COMMANDS: readonly string[] = ["status", "help"];

/** The parts of a `<message/>` that routing looks at. */
export interface UserMessage {
  /** The type attribute (undefined = normal). */
  type?: string;
  from: string;
  to: string;
  id?: string;
  /** Text of `<body/>`, or null when there is none. */
  body: string | null;
  /** What the stanza carries besides the body (`extensions.ts`). */
  ext?: MessageExtensions;
}

/** Where goippy lives. */
export interface RouteContext {
  /** XMPP_DOMAIN: the users' domain. */
  domain: string;
  /** XMPP_COMPONENT_JID. */
  componentJid: string;
}

/** A message worth a gateway lookup. */
export interface Addressed {
  action: "lookup";
  /** The sender's ext (unescaped localpart). */
  ext: string;
  /** The sender's bare JID. */
  fromBare: string;
  /** The addressee's unescaped localpart ("" = the component itself). */
  target: string;
  body: string;
  /** XEP-0424: the id of the user's message to withdraw. */
  retractId?: string;
  /** XEP-0308: the id of the user's message this text replaces. */
  replaceId?: string;
}

/** Ignore silently (errors, chat states, groupchat…). */
export interface Ignore {
  action: "ignore";
  reason: string;
}

/** Refuse with a stanza error. */
export interface Refuse {
  action: "refuse";
  error: StanzaErrorSpec;
}

/** The final decisions. */
export type Decision =
  | Ignore
  | Refuse
  | { action: "sms"; number: string; body: string; replaces?: string }
  | { action: "retract"; number: string; refId: string }
  | { action: "ussd"; code: string }
  | { action: "command"; name: string }
  | { action: "contact"; command: ContactCommand };

function refuse(
  type: StanzaErrorSpec["type"],
  condition: string,
  text: string,
): Refuse {
  return { action: "refuse", error: { type, condition, text } };
}

/** First step: the stanza alone. */
export function classifyMessage(
  msg: UserMessage,
  ctx: RouteContext,
): Addressed | Ignore | Refuse {
  const type = msg.type ?? "normal";
  if (type !== "chat" && type !== "normal") {
    return { action: "ignore", reason: `message type ${type}` };
  }
  const ext = msg.ext ?? { reaction: false };
  // Chat states, markers, receipts and OMEMO key exchanges have no body and
  // nothing a user wrote: they are left alone.
  const meant = msg.body !== null || ext.reaction || !!ext.retractId ||
    !!ext.oobUrl || !!ext.encrypted;
  if (!meant) return { action: "ignore", reason: "no body" };
  const from = splitJid(msg.from);
  if (from.domain !== ctx.domain.toLowerCase() || !from.local) {
    return refuse(
      "cancel",
      "forbidden",
      `goippy serves the users of ${ctx.domain} only.`,
    );
  }
  if (ext.reaction) {
    return refuse(
      "cancel",
      "feature-not-implemented",
      "Reactions can't be sent by SMS; nothing was sent.",
    );
  }
  if (ext.encrypted) {
    return refuse(
      "cancel",
      "not-acceptable",
      `Encrypted messages (${ext.encrypted}) can't be sent as SMS; turn encryption off for this contact. Nothing was sent.`,
    );
  }
  const to = splitJid(msg.to);
  const addressed: Addressed = {
    action: "lookup",
    ext: unescapeLocal(from.local),
    fromBare: `${from.local}@${from.domain}`,
    target: unescapeLocal(to.local),
    body: ext.replyText ?? msg.body ?? ext.oobUrl ?? "",
  };
  if (ext.retractId) addressed.retractId = ext.retractId;
  else if (ext.replaceId) addressed.replaceId = ext.replaceId;
  return addressed;
}

/** Is `target` the user's own line (bare component, `+msisdn` or `msisdn`)? */
export function isOwnLine(target: string, msisdn: string): boolean {
  if (target === "") return true;
  const own = msisdn.replace(/^\+/, "");
  return own !== "" && target.replace(/^\+/, "") === own;
}

/**
 * Second step: with the sender's gateway (undefined when it has none);
 * `registerWith`: the component's JID while registration is on.
 */
export function decideRoute(
  msg: Addressed,
  gateway: Gateway | undefined,
  msisdn: string,
  registerWith?: string,
): Decision {
  if (!gateway) {
    return refuse(
      "auth",
      "registration-required",
      `You (${msg.fromBare}) have no GSM line on goippy; ` +
        (registerWith
          ? `register with ${registerWith} using your line's ext and GoIP password.`
          : `ask the admin to add ext ${msg.ext}.`),
    );
  }
  if (!gateway.enabled) {
    return refuse(
      "cancel",
      "forbidden",
      `Your GSM line (ext ${gateway.ext}) is disabled; ask the admin to enable it.`,
    );
  }
  const own = isOwnLine(msg.target, msisdn || gateway.msisdn);
  if (msg.retractId) {
    return {
      action: "retract",
      number: own ? "" : msg.target,
      refId: msg.retractId,
    };
  }
  if (own) return ownLine(msg.body);
  const decision = sms(msg.target, msg.body, gateway);
  if (decision.action === "sms" && msg.replaceId) {
    decision.replaces = msg.replaceId;
  }
  return decision;
}

function ownLine(body: string): Decision {
  const text = body.trim();
  if (COMMANDS.includes(text.toLowerCase())) {
    return { action: "command", name: text.toLowerCase() };
  }
  if (text === "") {
    return refuse("modify", "bad-request", "Empty message: nothing to do.");
  }
  const contact = parseContactCommand(text);
  if (contact && "error" in contact) {
    return refuse("modify", "bad-request", contact.error);
  }
  if (contact) return { action: "contact", command: contact };
  if (!USSD_CODE_RE.test(text)) {
    return refuse(
      "modify",
      "bad-request",
      `"${
        text.slice(0, 40)
      }" is not a USSD code (digits, *, #, + only) or a command; write "help".`,
    );
  }
  return { action: "ussd", code: text };
}

function sms(number: string, body: string, gateway: Gateway): Decision {
  if (!NUMBER_RE.test(number)) {
    return refuse(
      "modify",
      "jid-malformed",
      `"${
        number.slice(0, 40)
      }" is not a phone number: write to +<3 to 20 digits>@ this service.`,
    );
  }
  if (body.trim() === "") {
    return refuse("modify", "bad-request", "Empty message: nothing to send.");
  }
  const bytes = new TextEncoder().encode(body).length;
  if (bytes > MAX_SMS_BYTES) {
    return refuse(
      "modify",
      "policy-violation",
      `Message too long: ${bytes} bytes, the GoIP takes at most ${MAX_SMS_BYTES}.`,
    );
  }
  const allowed = allowRegexMatches(gateway.allowRegex, number);
  if (allowed === "invalid") {
    return refuse(
      "cancel",
      "internal-server-error",
      `Your line's allow_regex is not a valid pattern; ask the admin to fix it.`,
    );
  }
  if (!allowed) {
    return refuse(
      "cancel",
      "not-allowed",
      `Sending to ${number} is not allowed for your line (ext ${gateway.ext}).`,
    );
  }
  return { action: "sms", number, body };
}
