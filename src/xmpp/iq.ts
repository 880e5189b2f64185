/**
 * Answers to IQs addressed to the component or its contacts (pure): disco
 * (XEP-0030), ping (XEP-0199), version (XEP-0092), gateway (XEP-0100), as
 * routes for the library's IQ callee, which wraps them in the reply and
 * answers every other get/set with an error (`service-unavailable`, or
 * `bad-request` when the IQ does not carry exactly one child).
 *
 * @module
 */

import { numberToJid } from "./jid.ts";
import { NUMBER_RE } from "../destination.ts";
import { errorElement } from "./stanzas.ts";
import { xml, type XmlElement } from "./xml.ts";
import type { IqReply } from "./xmppjs.ts";

/** Namespaces of the IQs goippy answers. */
export const NS = {
  discoInfo: "http://jabber.org/protocol/disco#info",
  discoItems: "http://jabber.org/protocol/disco#items",
  ping: "urn:xmpp:ping",
  version: "jabber:iq:version",
  gateway: "jabber:iq:gateway",
  receipts: "urn:xmpp:receipts",
  commands: "http://jabber.org/protocol/commands",
  register: "jabber:iq:register",
} as const;

/** What the answers need to know. */
export interface IqContext {
  componentJid: string;
  version: string;
  /** e.g. `linux` (Deno.build.os). */
  os: string;
  /** The XEP-0050 commands this asker may run (`adhoc.ts`), when offered. */
  commandItems?: (iq: XmlElement) => Promise<XmlElement[]>;
  /** Whether registration (XEP-0077, `register.ts`) is on now. */
  registration?: () => boolean;
}

/** The features listed by disco#info on the component. */
export const FEATURES: readonly string[] = [
  NS.discoInfo,
  NS.discoItems,
  NS.ping,
  NS.version,
  NS.gateway,
  NS.receipts,
  NS.commands,
];

/** One IQ goippy answers, registered with the library's IQ callee. */
export interface IqRoute {
  type: "get" | "set";
  /** The payload's namespace and name. */
  ns: string;
  name: string;
  /**
   * The answer to `iq` (to the component or to a contact) whose single child
   * is `payload`; null when this address does not offer it.
   */
  answer(iq: XmlElement, payload: XmlElement): IqReply | Promise<IqReply>;
}

/** Whether the IQ is addressed to the component itself, not a contact. */
function toComponent(iq: XmlElement): boolean {
  return !(iq.attrs.to ?? "").includes("@");
}

/** The IQs goippy answers; every other get/set gets an error reply. */
export function iqRoutes(ctx: IqContext): IqRoute[] {
  const gw = (iq: XmlElement, q: XmlElement) =>
    toComponent(iq) ? gateway(iq, q, ctx) : null;
  return [
    {
      type: "get",
      ns: NS.discoInfo,
      name: "query",
      answer: (iq, q) =>
        toComponent(iq) ? componentInfo(q, ctx) : contactInfo(q),
    },
    {
      type: "get",
      ns: NS.discoItems,
      name: "query",
      answer: async (iq, q) =>
        xml(
          "query",
          { xmlns: NS.discoItems, node: q.attrs.node },
          ...(toComponent(iq) && q.attrs.node === NS.commands &&
              ctx.commandItems
            ? await ctx.commandItems(iq)
            : []),
        ),
    },
    { type: "get", ns: NS.ping, name: "ping", answer: () => true },
    {
      type: "get",
      ns: NS.version,
      name: "query",
      answer: (iq) => toComponent(iq) ? version(ctx) : null,
    },
    { type: "get", ns: NS.gateway, name: "query", answer: gw },
    { type: "set", ns: NS.gateway, name: "query", answer: gw },
  ];
}

function componentInfo(q: XmlElement, ctx: IqContext): XmlElement {
  const features = ctx.registration?.() ? [...FEATURES, NS.register] : FEATURES;
  return xml(
    "query",
    { xmlns: NS.discoInfo, node: q.attrs.node },
    xml("identity", { category: "gateway", type: "sms", name: "goippy" }),
    ...features.map((v) => xml("feature", { var: v })),
  );
}

function contactInfo(q: XmlElement): XmlElement {
  return xml(
    "query",
    { xmlns: NS.discoInfo, node: q.attrs.node },
    xml("identity", { category: "client", type: "sms", name: "SMS contact" }),
    xml("feature", { var: NS.discoInfo }),
    xml("feature", { var: NS.receipts }),
  );
}

function version(ctx: IqContext): XmlElement {
  return xml(
    "query",
    { xmlns: NS.version },
    xml("name", {}, "goippy"),
    xml("version", {}, ctx.version),
    xml("os", {}, ctx.os),
  );
}

function gateway(iq: XmlElement, q: XmlElement, ctx: IqContext): XmlElement {
  if (iq.attrs.type === "get") {
    return xml(
      "query",
      { xmlns: NS.gateway },
      xml(
        "desc",
        {},
        "Enter the phone number (with country code, e.g. +3725551234) to write to.",
      ),
      xml("prompt", {}, "Phone number"),
    );
  }
  const raw = (q.getChildText("prompt") ?? "").replace(/[\s\-()./]/g, "");
  if (!NUMBER_RE.test(raw)) {
    return errorElement({
      type: "modify",
      condition: "bad-request",
      text: `"${
        raw.slice(0, 40)
      }" is not a phone number (+ and 3 to 20 digits).`,
    });
  }
  return xml(
    "query",
    { xmlns: NS.gateway },
    xml("jid", {}, numberToJid(raw, ctx.componentJid)),
  );
}
