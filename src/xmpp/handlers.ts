/**
 * What goippy does with the stanzas users send to the component: messages
 * become outbox rows (or refusals, or command answers), presence
 * subscriptions are approved and probes answered (IQs are answered by the
 * routes of `iq.ts`, through the component link).
 * Every stanza is untrusted: a handler never throws.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Hub } from "../hub.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/types.ts";
import { lineOnline } from "../line_online.ts";
import {
  enqueueGuard,
  limitText,
  lineUsage,
  SendLimitError,
} from "../limits/mod.ts";
import type { GoippyMetrics } from "../metrics/goippy.ts";
import { helpText, lineStatusText, statusText } from "./commands.ts";
import {
  bareJid,
  numberToJid,
  ownLineJid,
  splitJid,
  unescapeLocal,
} from "./jid.ts";
import { readExtensions } from "./extensions.ts";
import { userLine } from "./line_jid.ts";
import { liveCheck } from "./live_requests.ts";
import { retract } from "./retract.ts";
import { rosterGrant, type RosterSync } from "./roster.ts";
import { applyContactCommand } from "./contacts.ts";
import { normalizeNumber } from "./contact_commands.ts";
import { blockedSendText } from "../notices/contact_texts.ts";
import { classifyMessage, decideRoute, isOwnLine } from "./route.ts";
import { chatMessage, errorMessage, NS_RECEIPTS, presence } from "./stanzas.ts";
import type { XmlElement } from "./xml.ts";

/** What the handlers need. */
export interface HandlerDeps {
  config: Config;
  store: Store;
  hub: Hub;
  log: Logger;
  send: (el: XmlElement) => Promise<void>;
  /** Counts refusals for a send limit when given. */
  metrics?: GoippyMetrics;
  /** Roster writes (XEP-0356), when the server grants them. */
  roster?: RosterSync;
}

/** Dispatch one incoming stanza. */
export async function handleStanza(
  el: XmlElement,
  d: HandlerDeps,
): Promise<void> {
  // the server stamps every stanza with its sender; without one there is
  // nobody to answer (and an answer to "" would be refused by the server)
  if (!el.attrs.from) return;
  try {
    const grant = rosterGrant(el, d.config.XMPP_DOMAIN);
    if (grant !== undefined) await d.roster?.advertised(grant);
    else if (el.name === "message") await handleMessage(el, d);
    else if (el.name === "presence") await handlePresence(el, d);
  } catch (err) {
    d.log.error(
      `XMPP: failed to handle <${el.name}> from ${el.attrs.from}: ${err}`,
    );
    // A message never vanishes: the store is most likely away, so the user
    // hears so at once and may send it again.
    if (
      el.name === "message" && el.attrs.type !== "error" &&
      el.getChildText("body") !== null
    ) {
      await d.send(
        errorMessage(
          el.attrs.to ?? "",
          el.attrs.from,
          el.attrs.id ?? "",
          STORE_AWAY,
        ),
      ).catch(() => {});
    }
  }
}

/** The refusal of a message while the store cannot take it. */
const STORE_AWAY = {
  type: "wait" as const,
  condition: "internal-server-error",
  text: "goippy's database is unavailable; try again in a minute.",
};

async function handleMessage(el: XmlElement, d: HandlerDeps): Promise<void> {
  const { config, store, hub, log } = d;
  const from = el.attrs.from ?? "";
  const to = el.attrs.to ?? "";
  const id = el.attrs.id ?? "";
  const body = el.getChildText("body");
  const first = classifyMessage({
    type: el.attrs.type,
    from,
    to,
    id,
    body,
    ext: readExtensions(el, body),
  }, { domain: config.XMPP_DOMAIN, componentJid: config.XMPP_COMPONENT_JID });
  if (first.action === "ignore") {
    log.debug(`XMPP: ignored message from ${from}: ${first.reason}`);
    return;
  }
  const refuse = async (
    err: {
      type: "auth" | "cancel" | "modify" | "wait" | "continue";
      condition: string;
      text: string;
    },
  ) => {
    log.info(`XMPP: refused message from ${from} to ${to}: ${err.text}`);
    await d.send(errorMessage(to, from, id, err));
  };
  if (first.action === "refuse") return await refuse(first.error);

  const gateway = await userLine(store, from, config.XMPP_DOMAIN);
  const state = gateway ? await store.lineState(gateway.goipId) : undefined;
  const msisdn = state?.msisdn || gateway?.msisdn || "";
  const decision = decideRoute(
    first,
    gateway,
    msisdn,
    config.REGISTRATION ? config.XMPP_COMPONENT_JID : undefined,
  );
  if (decision.action === "ignore") return;
  if (decision.action === "refuse") return await refuse(decision.error);
  if (!gateway) return;
  if (decision.action === "retract") {
    await retract({
      goipId: gateway.goipId,
      number: decision.number,
      fromBare: first.fromBare,
      from,
      to,
      id,
      refId: decision.refId,
    }, d);
    return;
  }
  if (decision.action === "contact") {
    const text = await applyContactCommand(gateway.ext, decision.command, d);
    const cmd = decision.command;
    if (cmd.verb === "name") {
      await d.roster?.named(gateway, cmd.number, cmd.name);
    }
    await d.send(
      chatMessage(bareJid(to), from, text, `goippy-cmd-${crypto.randomUUID()}`),
    );
    return;
  }
  if (
    decision.action === "sms" &&
    (await store.contact(gateway.ext, normalizeNumber(decision.number)))
      ?.blocked
  ) {
    return await refuse({
      type: "cancel",
      condition: "not-allowed",
      text: blockedSendText(decision.number),
    });
  }
  if (decision.action === "sms" && decision.replaces) {
    // A correction: the queued original takes the new text; once it is
    // sent, the corrected text goes out as an SMS of its own.
    const orig = await store.findUserItem({
      goipId: gateway.goipId,
      number: decision.number,
      fromBare: first.fromBare,
      stanzaId: decision.replaces,
    });
    if (orig && await store.replaceQueuedBody(orig.id, decision.body)) {
      log.info(`XMPP: ${first.fromBare} corrected queued sms #${orig.id}`);
      return;
    }
  }
  if (decision.action === "command") {
    const text = decision.name === "status"
      ? statusText({
        gateway: { ...gateway, msisdn },
        state,
        oldestQueued: await store.nextQueued(gateway.goipId),
        nowMs: Date.now(),
        offlineAfterS: config.GOIP_OFFLINE_AFTER,
        sends: await lineUsage(store, gateway, config),
      })
      : helpText(config.XMPP_COMPONENT_JID, msisdn);
    await d.send(
      chatMessage(bareJid(to), from, text, `goippy-cmd-${crypto.randomUUID()}`),
    );
    return;
  }
  const wantReceipt = !!el.getChild("request", NS_RECEIPTS);
  const item = decision.action === "sms"
    ? {
      kind: "sms" as const,
      number: decision.number,
      body: decision.body,
      toJid: numberToJid(decision.number, config.XMPP_COMPONENT_JID),
    }
    : {
      kind: "ussd" as const,
      number: "",
      body: decision.code,
      toJid: bareJid(to),
    };
  const live = await liveCheck(item.kind, gateway.goipId, state, {
    store,
    config,
    nowMs: Date.now(),
  });
  if (live.refusal) return await refuse(live.refusal);
  // Over a send limit: refused now, never queued to go out later (the
  // check is part of the enqueue's transaction).
  const guard = item.kind === "sms"
    ? enqueueGuard(gateway, item.number, config)
    : undefined;
  try {
    const rowId = await store.enqueueOutbox({
      ext: gateway.ext,
      goipId: gateway.goipId,
      ...item,
      // The full JID: a later error stanza must reach this resource (servers
      // drop message errors addressed to a bare JID, RFC 6121 8.5.2.1.1).
      fromJid: from,
      // A correction keeps the id of the message it corrects: clients show
      // one message under that id, and later edits refer to it.
      stanzaId: decision.action === "sms" && decision.replaces
        ? decision.replaces
        : id,
      wantReceipt,
      origin: "xmpp",
    }, guard);
    log.info(
      `XMPP: queued ${item.kind} #${rowId} from ${first.fromBare} via ${gateway.goipId}`,
    );
  } catch (err) {
    if (err instanceof SendLimitError) {
      d.metrics?.smsLimited.inc({ limit: err.over.limit });
      return await refuse({
        type: "wait",
        condition: "policy-violation",
        text: limitText(gateway.ext, err.over),
      });
    }
    log.error(`XMPP: could not queue a message from ${from}: ${err}`);
    await refuse(STORE_AWAY);
    return;
  }
  hub.emit("outbox", { goipId: gateway.goipId });
  if (live.waitNotice) {
    log.info(`XMPP: told ${first.fromBare} that the line is offline`);
    await d.send(
      chatMessage(
        ownLineJid(msisdn, config.XMPP_COMPONENT_JID),
        from,
        live.waitNotice,
        `goippy-wait-${crypto.randomUUID()}`,
      ),
    );
  }
}

async function handlePresence(el: XmlElement, d: HandlerDeps): Promise<void> {
  const { config, store } = d;
  const type = el.attrs.type;
  const from = el.attrs.from ?? "";
  const to = bareJid(el.attrs.to ?? "");
  const fromBare = bareJid(from);
  if (type === "subscribe") {
    await d.send(presence(to, fromBare, "subscribed"));
  } else if (type === "unsubscribe") {
    await d.send(presence(to, fromBare, "unsubscribed"));
    return;
  } else if (type !== "probe") {
    return;
  }
  // subscribe (after approval) and probe: tell the contact's current presence
  let available: string | null = null;
  const gateway = await userLine(store, from, config.XMPP_DOMAIN);
  const state = gateway ? await store.lineState(gateway.goipId) : undefined;
  const msisdn = state?.msisdn || gateway?.msisdn || "";
  const target = unescapeLocal(splitJid(to).local);
  if (
    gateway && isOwnLine(target, msisdn) &&
    lineOnline(state, Date.now(), config) && state
  ) {
    available = lineStatusText(state);
  }
  await d.send(
    available !== null
      ? presence(to, fromBare, undefined, available)
      : presence(to, fromBare, "unavailable"),
  );
}
