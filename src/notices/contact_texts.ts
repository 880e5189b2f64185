/**
 * What a user reads after naming or blocking a number, and the list of
 * their named and blocked numbers. Pure.
 *
 * @module
 */

import type { Contact } from "../store/types.ts";

/** The answer to a `name`/`block`/`unblock` command; `now` is the row after it. */
export function contactChangedText(
  verb: "name" | "block" | "unblock",
  number: string,
  now: Contact | undefined,
): string {
  switch (verb) {
    case "name":
      return now?.name
        ? `${number} is now "${now.name}".`
        : `${number} has no name now.`;
    case "block":
      return `${number} is blocked: SMS from it are kept but not delivered to you, and you cannot send to it. Write "unblock ${number}" to undo.`;
    case "unblock":
      return `${number} is unblocked.`;
  }
}

/** The answer to `contacts`. */
export function contactsText(list: Contact[]): string {
  if (list.length === 0) {
    return 'No named or blocked numbers. Write "name +<number> <name>" or "block +<number>".';
  }
  return list.map((c) =>
    `${c.number}${c.name ? ` "${c.name}"` : ""}${c.blocked ? " (blocked)" : ""}`
  ).join("\n");
}

/** Why an SMS to a blocked number is refused. */
export function blockedSendText(number: string): string {
  return `You blocked ${number}; nothing was sent. Write "unblock ${number}" to your own line to undo.`;
}
