/**
 * The words a user writes to their own line to name and block numbers:
 * `name +3725551234 Mom`, `name +3725551234` (clears), `block +3725551234`,
 * `unblock +3725551234`, `contacts`. A "number" may also be a sender name
 * such as `BANK` (so promotional senders can be blocked). Pure.
 *
 * @module
 */

/** What the user asked for. */
export type ContactCommand =
  | { verb: "name"; number: string; name: string }
  | { verb: "block" | "unblock"; number: string }
  | { verb: "contacts" };

const SENDER_RE = /^(\+?[0-9]{3,20}|[A-Za-z0-9._-]{1,20})$/;
/** Names are kept short: they become roster names and message nicks. */
export const MAX_NAME_CHARS = 64;

/** `+<digits>` for a digit string with or without `+`; other sender ids as they are. */
export function normalizeNumber(n: string): string {
  return /^\+?[0-9]+$/.test(n) ? `+${n.replace(/^\+/, "")}` : n;
}

/**
 * The command in `text`, an error text for a malformed one, or undefined
 * when the text is not a contact command at all.
 */
export function parseContactCommand(
  text: string,
): ContactCommand | { error: string } | undefined {
  const m = /^(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return undefined;
  const verb = m[1].toLowerCase();
  if (verb === "contacts" && !m[2]) return { verb: "contacts" };
  if (verb !== "name" && verb !== "block" && verb !== "unblock") {
    return undefined;
  }
  const usage = verb === "name"
    ? "name +<number> <name> (or just name +<number> to clear it)"
    : `${verb} +<number>`;
  if (!m[2] || !SENDER_RE.test(m[2])) return { error: `Write: ${usage}.` };
  const number = normalizeNumber(m[2]);
  if (verb === "name") {
    const name = (m[3] ?? "").replace(/\s+/g, " ").trim();
    if ([...name].length > MAX_NAME_CHARS) {
      return { error: `A name has at most ${MAX_NAME_CHARS} characters.` };
    }
    return { verb, number, name };
  }
  if (m[3]?.trim()) return { error: `Write: ${usage}.` };
  return { verb, number };
}
