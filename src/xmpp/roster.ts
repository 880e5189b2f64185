/**
 * Contact names in the user's roster, when the server grants goippy roster
 * access (XEP-0356 Privileged Entity: Prosody's mod_privilege, ejabberd's
 * privilege_access). The server says so in a `<message/>` with
 * `<privilege/>` after the component connects; from then on goippy writes
 * roster items with `jabber:iq:roster` sets addressed to the user's bare
 * JID: the own line, and every number the user named. Without the grant
 * nothing is written and everything else works.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/types.ts";
import { numberToJid, ownLineJid } from "./jid.ts";
import { type LineUser, lineUserJid } from "./line_jid.ts";
import { xml, type XmlElement } from "./xml.ts";

/** XEP-0356 namespaces, current and previous. */
export const NS_PRIVILEGE = ["urn:xmpp:privilege:2", "urn:xmpp:privilege:1"];
/** RFC 6121 roster. */
export const NS_ROSTER = "jabber:iq:roster";

/** One roster item goippy writes. */
export interface RosterItem {
  jid: string;
  /** "" removes the name (the item stays). */
  name: string;
}

/**
 * The roster access a privilege advertisement grants ("get", "set", "both",
 * "none"), or undefined when `el` is not one from `serverDomain`.
 */
export function rosterGrant(
  el: XmlElement,
  serverDomain: string,
): string | undefined {
  if (el.name !== "message") return undefined;
  if ((el.attrs.from ?? "").toLowerCase() !== serverDomain.toLowerCase()) {
    return undefined;
  }
  for (const ns of NS_PRIVILEGE) {
    const priv = el.getChild("privilege", ns);
    if (!priv) continue;
    const perm = priv.getChildren("perm").find((p) =>
      p.attrs.access === "roster"
    );
    return perm?.attrs.type ?? "none";
  }
  return undefined;
}

/** `<iq type="set" to=user><query xmlns=roster><item jid name/>…</query></iq>`. */
export function rosterSet(
  from: string,
  user: string,
  items: RosterItem[],
  id: string,
): XmlElement {
  return xml(
    "iq",
    { type: "set", from, to: user, id },
    xml(
      "query",
      { xmlns: NS_ROSTER },
      ...items.map((i) => xml("item", { jid: i.jid, name: i.name })),
    ),
  );
}

/** What the roster sync needs. */
export interface RosterDeps {
  config: () => Config;
  store: Store;
  log: Logger;
  send: (el: XmlElement) => Promise<void>;
  /** Whether stanzas can go out now (the grant may come before "online"). */
  ready: () => boolean;
}

/** Roster writes for one component: granted or not, and what was written. */
export class RosterSync {
  #d: RosterDeps;
  #canSet = false;
  /** user → item jid → name last written (not written again). */
  #written = new Map<string, Map<string, string>>();

  constructor(deps: RosterDeps) {
    this.#d = deps;
  }

  /** Whether goippy may write rosters now. */
  get granted(): boolean {
    return this.#canSet;
  }

  /** The server's advertisement; with "set"/"both", every roster is synced. */
  async advertised(type: string): Promise<void> {
    this.#canSet = type === "set" || type === "both";
    this.#d.log.info(
      `XMPP: the server grants roster access "${type}"${
        this.#canSet ? "; writing contact names to rosters" : ""
      }`,
    );
    this.#written.clear();
    if (this.#canSet && this.#d.ready()) await this.syncAll();
  }

  /** The link is up: sync when the grant came before. */
  async online(): Promise<void> {
    if (this.#canSet) await this.syncAll();
  }

  /** Own lines of enabled gateways and every named number. */
  async syncAll(): Promise<void> {
    const { store } = this.#d;
    const byExt = new Map<string, [LineUser, RosterItem[]]>();
    for (const g of await store.listGateways()) {
      if (!g.enabled) continue;
      byExt.set(g.ext, [g, [
        this.#ownLine(g.ext, g.state?.msisdn || g.msisdn),
      ]]);
    }
    for (const c of await store.namedContacts()) {
      byExt.get(c.ext)?.[1].push(this.#numberItem(c.number, c.name));
    }
    for (const [line, items] of byExt.values()) await this.push(line, items);
  }

  /** A line's number is known or changed: its own-line item follows. */
  async lineSeen(line: LineUser, msisdn: string): Promise<void> {
    await this.push(line, [this.#ownLine(line.ext, msisdn)]);
  }

  /** Write a number's name (or its removal, "") to the line user's roster. */
  async named(line: LineUser, number: string, name: string): Promise<void> {
    await this.push(line, [this.#numberItem(number, name)]);
  }

  /** Write the items that changed since last written to the line's user. */
  async push(line: LineUser, items: RosterItem[]): Promise<void> {
    if (!this.#canSet) return;
    const c = this.#d.config();
    const user = lineUserJid(line, c.XMPP_DOMAIN);
    const written = this.#written.get(user) ?? new Map<string, string>();
    this.#written.set(user, written);
    const fresh = items.filter((i) => written.get(i.jid) !== i.name);
    if (fresh.length === 0) return;
    await this.#d.send(
      rosterSet(
        c.XMPP_COMPONENT_JID,
        user,
        fresh,
        `goippy-roster-${crypto.randomUUID()}`,
      ),
    );
    for (const i of fresh) written.set(i.jid, i.name);
  }

  #ownLine(ext: string, msisdn: string): RosterItem {
    const c = this.#d.config();
    return {
      jid: ownLineJid(msisdn, c.XMPP_COMPONENT_JID),
      name: `GSM line ${ext}`,
    };
  }

  #numberItem(number: string, name: string): RosterItem {
    return {
      jid: numberToJid(number, this.#d.config().XMPP_COMPONENT_JID),
      name,
    };
  }
}
