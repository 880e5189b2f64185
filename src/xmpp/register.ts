/**
 * Self-service registration (XEP-0077) with the component: a user of
 * XMPP_DOMAIN binds a line to their JID by giving its ext and its GoIP
 * password, the credential of whoever owns the line. Off unless
 * REGISTRATION. Wrong passwords are counted per JID; too many in a window
 * and the JID is told to wait.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Logger } from "../log.ts";
import { StoreConflictError } from "../store/types.ts";
import type { Gateway, Store } from "../store/types.ts";
import { type IqRoute, NS } from "./iq.ts";
import { domainUser } from "./line_jid.ts";
import { errorElement } from "./stanzas.ts";
import { xml, type XmlElement } from "./xml.ts";
import type { IqReply } from "./xmppjs.ts";

const NS_REGISTER = NS.register;

/** Wrong passwords a JID may give within {@linkcode FAIL_WINDOW_MS}. */
export const MAX_FAILURES = 5;
/** The window wrong passwords are counted in. */
export const FAIL_WINDOW_MS = 10 * 60_000;

const INSTRUCTIONS =
  "Enter the line's ext as username and its GoIP password (the GoIP's " +
  '"ID for SMS" password) to receive and send that line\'s SMS at this ' +
  "account.";

/** Wrong-password attempts per bare JID within a sliding window. */
export class FailureLimiter {
  #fails = new Map<string, number[]>();
  constructor(
    readonly max: number = MAX_FAILURES,
    readonly windowMs: number = FAIL_WINDOW_MS,
  ) {}

  #recent(jid: string, nowMs: number): number[] {
    const kept = (this.#fails.get(jid) ?? []).filter((t) =>
      t > nowMs - this.windowMs
    );
    if (kept.length) this.#fails.set(jid, kept);
    else this.#fails.delete(jid);
    return kept;
  }

  /** Whether `jid` may try a password now. */
  allowed(jid: string, nowMs: number): boolean {
    return this.#recent(jid, nowMs).length < this.max;
  }

  /** Count a wrong password. */
  failed(jid: string, nowMs: number): void {
    this.#fails.set(jid, [...this.#recent(jid, nowMs), nowMs]);
  }
}

/** What the registration route needs. */
export interface RegisterDeps {
  config: () => Config;
  store: Pick<Store, "gatewayByExt" | "gatewayByJid" | "setGatewayJid">;
  limiter: FailureLimiter;
  log?: Logger;
  /** After a line's user changed (the row as it is now). */
  changed?: (g: Gateway) => void;
  /** Epoch ms (tests pass a clock). */
  now?: () => number;
}

/** The form: instructions, username (ext) and password; `<registered/>` when bound. */
export function registerForm(boundExt?: string): XmlElement {
  return xml(
    "query",
    { xmlns: NS_REGISTER },
    xml("instructions", {}, INSTRUCTIONS),
    boundExt === undefined ? null : xml("registered", {}),
    xml("username", {}, boundExt ?? ""),
    xml("password", {}),
  );
}

const err = (
  type: "auth" | "cancel" | "modify" | "wait",
  condition: string,
  text: string,
) => errorElement({ type, condition, text });

/** The get and set routes of `jabber:iq:register` on the component. */
export function registerRoutes(d: RegisterDeps): IqRoute[] {
  const answer = (iq: XmlElement, q: XmlElement) => register(iq, q, d);
  return [
    { type: "get", ns: NS_REGISTER, name: "query", answer },
    { type: "set", ns: NS_REGISTER, name: "query", answer },
  ];
}

async function register(
  iq: XmlElement,
  q: XmlElement,
  d: RegisterDeps,
): Promise<IqReply> {
  if ((iq.attrs.to ?? "").includes("@")) return null;
  const config = d.config();
  if (!config.REGISTRATION) {
    return err("cancel", "service-unavailable", "Registration is off.");
  }
  const user = domainUser(iq.attrs.from ?? "", config.XMPP_DOMAIN);
  if (!user) {
    return err(
      "cancel",
      "forbidden",
      `goippy serves the users of ${config.XMPP_DOMAIN} only.`,
    );
  }
  const bound = await d.store.gatewayByJid(user.bare);
  if (iq.attrs.type === "get") return registerForm(bound?.ext);
  if (q.getChild("remove")) {
    if (!bound) {
      return err("auth", "registration-required", "No line is registered.");
    }
    await d.store.setGatewayJid(bound.ext, null);
    d.log?.info(`XMPP: ${user.bare} unregistered line ${bound.ext}`);
    d.changed?.({ ...bound, xmppJid: undefined });
    return true;
  }
  const now = (d.now ?? Date.now)();
  if (!d.limiter.allowed(user.bare, now)) {
    return err(
      "wait",
      "resource-constraint",
      "Too many wrong passwords; try again in a few minutes.",
    );
  }
  const ext = (q.getChildText("username") ?? "").trim();
  const password = q.getChildText("password") ?? "";
  if (!ext || !password) {
    return err(
      "modify",
      "not-acceptable",
      "Give the line's ext as username and its GoIP password.",
    );
  }
  const g = await d.store.gatewayByExt(ext);
  if (!g || !samePassword(g.goipPass, password)) {
    d.limiter.failed(user.bare, now);
    d.log?.info(`XMPP: ${user.bare} gave a wrong password for line ${ext}`);
    return err("auth", "not-authorized", "Wrong line or password.");
  }
  if (bound && bound.ext !== g.ext) {
    await d.store.setGatewayJid(bound.ext, null);
    d.changed?.({ ...bound, xmppJid: undefined });
  }
  try {
    await d.store.setGatewayJid(g.ext, user.bare);
  } catch (e) {
    if (!(e instanceof StoreConflictError)) throw e;
    return err("cancel", "conflict", "Registered at the same time; try again.");
  }
  d.log?.info(`XMPP: line ${g.ext} registered to ${user.bare}`);
  d.changed?.({ ...g, xmppJid: user.bare });
  return true;
}

/** Compare without stopping at the first difference. */
function samePassword(a: string, b: string): boolean {
  const [x, y] = [new TextEncoder().encode(a), new TextEncoder().encode(b)];
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}
