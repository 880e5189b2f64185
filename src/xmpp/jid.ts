/**
 * Phone numbers ↔ JIDs. A phone contact is `<number>@<component>`; `+` is
 * legal in a localpart, anything else that is not is escaped per XEP-0106
 * (an alphanumeric sender such as `My Bank` becomes `my\20bank`… kept as sent,
 * only escaped).
 *
 * @module
 */

const ESCAPES: Record<string, string> = {
  " ": "\\20",
  '"': "\\22",
  "&": "\\26",
  "'": "\\27",
  "/": "\\2f",
  ":": "\\3a",
  "<": "\\3c",
  ">": "\\3e",
  "@": "\\40",
  "\\": "\\5c",
};
const UNESCAPES: Record<string, string> = Object.fromEntries(
  Object.entries(ESCAPES).map(([k, v]) => [v, k]),
);

/** XEP-0106 escape of a JID localpart. */
export function escapeLocal(local: string): string {
  return local.replace(/[ "&'/:<>@\\]/g, (c) => ESCAPES[c]);
}

/** XEP-0106 unescape of a JID localpart (unknown `\xx` sequences kept as they are). */
export function unescapeLocal(local: string): string {
  return local.replace(
    /\\(20|22|26|27|2f|3a|3c|3e|40|5c)/gi,
    (m) => UNESCAPES[m.toLowerCase()],
  );
}

/** The JID of a phone contact: `numberToJid("+3725551234", "sms.example.org")`. */
export function numberToJid(number: string, componentJid: string): string {
  return `${escapeLocal(number)}@${componentJid}`;
}

/** The bare JID of a user: `userJid("2001", "example.org")`. */
export function userJid(ext: string, domain: string): string {
  return `${escapeLocal(ext)}@${domain}`;
}

/** The JID a line speaks from: `+<msisdn>@component`, or the component itself. */
export function ownLineJid(msisdn: string, componentJid: string): string {
  const digits = msisdn.replace(/^\+/, "");
  return digits ? numberToJid(`+${digits}`, componentJid) : componentJid;
}

/** The parts of a JID string; `local` is "" for a domain JID. */
export interface JidParts {
  local: string;
  domain: string;
  resource: string;
}

/**
 * Split `local@domain/resource` (RFC 7622 order: the resource starts at the
 * first `/`, the localpart ends at the first `@` before it). The domain is
 * lowercased; the localpart is kept as written (still XEP-0106-escaped).
 */
export function splitJid(jid: string): JidParts {
  const slash = jid.indexOf("/");
  const bare = slash < 0 ? jid : jid.slice(0, slash);
  const resource = slash < 0 ? "" : jid.slice(slash + 1);
  const at = bare.indexOf("@");
  return at < 0 ? { local: "", domain: bare.toLowerCase(), resource } : {
    local: bare.slice(0, at),
    domain: bare.slice(at + 1).toLowerCase(),
    resource,
  };
}

/** The bare form `local@domain` (or `domain`) of a JID string. */
export function bareJid(jid: string): string {
  const { local, domain } = splitJid(jid);
  return local ? `${local}@${domain}` : domain;
}
