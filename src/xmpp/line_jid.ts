/**
 * Lines ↔ their users' JIDs: the one place that says which bare JID a line
 * serves and which line a user's JID speaks for. A line registered
 * (XEP-0077, `register.ts`) belongs to its registered JID; any other line to
 * `<ext>@XMPP_DOMAIN`.
 *
 * @module
 */

import type { Gateway, Store } from "../store/types.ts";
import { splitJid, unescapeLocal, userJid } from "./jid.ts";

/** What names a line's user. */
export interface LineUser {
  ext: string;
  /** The registered bare JID, when the line is registered. */
  xmppJid?: string;
}

/** The bare JID of the line's user (line → user). */
export function lineUserJid(line: LineUser, domain: string): string {
  return line.xmppJid || userJid(line.ext, domain);
}

/**
 * The bare JID (lowercase) of a user of `domain` and the ext its localpart
 * names by default; undefined for any other JID.
 */
export function domainUser(
  jid: string,
  domain: string,
): { bare: string; ext: string } | undefined {
  const p = splitJid(jid);
  if (p.domain !== domain.toLowerCase() || !p.local) return undefined;
  return {
    bare: `${p.local}@${p.domain}`.toLowerCase(),
    ext: unescapeLocal(p.local),
  };
}

/**
 * The line whose user `jid` (any resource) is (user → line): the line
 * registered to its bare JID, else the line named by its localpart unless
 * that line is registered to someone else; undefined outside `domain`.
 */
export async function userLine(
  store: Pick<Store, "gatewayByJid" | "gatewayByExt">,
  jid: string,
  domain: string,
): Promise<Gateway | undefined> {
  const user = domainUser(jid, domain);
  if (!user) return undefined;
  const bound = await store.gatewayByJid(user.bare);
  if (bound) return bound;
  const g = await store.gatewayByExt(user.ext);
  return g && !g.xmppJid ? g : undefined;
}
