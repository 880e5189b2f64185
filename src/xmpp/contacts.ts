/**
 * A user's contact commands carried out: names and blocks written to the
 * store, the answer text returned.
 *
 * @module
 */

import { contactChangedText, contactsText } from "../notices/contact_texts.ts";
import type { Store } from "../store/types.ts";
import type { ContactCommand } from "./contact_commands.ts";

/** Carry out `cmd` for the user of line `ext`; the text to answer. */
export async function applyContactCommand(
  ext: string,
  cmd: ContactCommand,
  d: { store: Store },
): Promise<string> {
  if (cmd.verb === "contacts") return contactsText(await d.store.contacts(ext));
  const change = cmd.verb === "name"
    ? { name: cmd.name }
    : { blocked: cmd.verb === "block" };
  const now = await d.store.setContact(ext, cmd.number, change);
  return contactChangedText(cmd.verb, cmd.number, now);
}
