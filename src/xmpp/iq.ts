/**
 * Answers to IQs addressed to the component or its contacts (pure): disco
 * (XEP-0030), ping (XEP-0199), version (XEP-0092), gateway (XEP-0100).
 * Every other get/set gets `service-unavailable`; results and errors are
 * never answered.
 *
 * @module
 */

import { numberToJid } from "./jid.ts";
import { NUMBER_RE } from "../destination.ts";
import { errorElement, type StanzaErrorSpec } from "./stanzas.ts";
import { xml, type XmlElement } from "./xml.ts";

/** Namespaces of the IQs goippy answers. */
export const NS = {
  discoInfo: "http://jabber.org/protocol/disco#info",
  discoItems: "http://jabber.org/protocol/disco#items",
  ping: "urn:xmpp:ping",
  version: "jabber:iq:version",
  gateway: "jabber:iq:gateway",
  receipts: "urn:xmpp:receipts",
} as const;

/** What the answers need to know. */
export interface IqContext {
  componentJid: string;
  version: string;
  /** e.g. `linux` (Deno.build.os). */
  os: string;
}

/** The features listed by disco#info on the component. */
export const FEATURES: readonly string[] = [
  NS.discoInfo,
  NS.discoItems,
  NS.ping,
  NS.version,
  NS.gateway,
  NS.receipts,
];

function result(iq: XmlElement, ...children: XmlElement[]): XmlElement {
  return xml("iq", {
    type: "result",
    id: iq.attrs.id,
    from: iq.attrs.to,
    to: iq.attrs.from,
  }, ...children);
}

/** An IQ error reply carrying the request's payload back. */
export function iqError(iq: XmlElement, err: StanzaErrorSpec): XmlElement {
  return xml("iq", {
    type: "error",
    id: iq.attrs.id,
    from: iq.attrs.to,
    to: iq.attrs.from,
  }, errorElement(err));
}

const UNAVAILABLE: StanzaErrorSpec = {
  type: "cancel",
  condition: "service-unavailable",
  text: "",
};

/** The reply to an IQ, or null when none is due (result/error/bad type). */
export function answerIq(iq: XmlElement, ctx: IqContext): XmlElement | null {
  const type = iq.attrs.type;
  if (type !== "get" && type !== "set") return null;
  const payload = iq.children.find((c): c is XmlElement =>
    typeof c !== "string"
  );
  const ns = payload?.attrs.xmlns;
  const toComponent = !(iq.attrs.to ?? "").includes("@");
  if (type === "get" && payload?.name === "query" && ns === NS.discoInfo) {
    return toComponent
      ? result(
        iq,
        xml(
          "query",
          { xmlns: NS.discoInfo, node: payload.attrs.node },
          xml("identity", { category: "gateway", type: "sms", name: "goippy" }),
          ...FEATURES.map((v) => xml("feature", { var: v })),
        ),
      )
      : result(
        iq,
        xml(
          "query",
          { xmlns: NS.discoInfo, node: payload.attrs.node },
          xml("identity", {
            category: "client",
            type: "sms",
            name: "SMS contact",
          }),
          xml("feature", { var: NS.discoInfo }),
          xml("feature", { var: NS.receipts }),
        ),
      );
  }
  if (type === "get" && payload?.name === "query" && ns === NS.discoItems) {
    return result(
      iq,
      xml("query", { xmlns: NS.discoItems, node: payload.attrs.node }),
    );
  }
  if (type === "get" && payload?.name === "ping" && ns === NS.ping) {
    return result(iq);
  }
  if (
    type === "get" && payload?.name === "query" && ns === NS.version &&
    toComponent
  ) {
    return result(
      iq,
      xml(
        "query",
        { xmlns: NS.version },
        xml("name", {}, "goippy"),
        xml("version", {}, ctx.version),
        xml("os", {}, ctx.os),
      ),
    );
  }
  if (payload?.name === "query" && ns === NS.gateway && toComponent) {
    return gateway(iq, payload, ctx);
  }
  return iqError(iq, UNAVAILABLE);
}

function gateway(iq: XmlElement, q: XmlElement, ctx: IqContext): XmlElement {
  if (iq.attrs.type === "get") {
    return result(
      iq,
      xml(
        "query",
        { xmlns: NS.gateway },
        xml(
          "desc",
          {},
          "Enter the phone number (with country code, e.g. +3725551234) to write to.",
        ),
        xml("prompt", {}, "Phone number"),
      ),
    );
  }
  const raw = (q.getChildText("prompt") ?? "").replace(/[\s\-()./]/g, "");
  if (!NUMBER_RE.test(raw)) {
    return iqError(iq, {
      type: "modify",
      condition: "bad-request",
      text: `"${
        raw.slice(0, 40)
      }" is not a phone number (+ and 3 to 20 digits).`,
    });
  }
  return result(
    iq,
    xml(
      "query",
      { xmlns: NS.gateway },
      xml("jid", {}, numberToJid(raw, ctx.componentJid)),
    ),
  );
}
