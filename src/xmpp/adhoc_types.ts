/**
 * The shapes shared by the ad-hoc command tables (`adhoc.ts`,
 * `adhoc_send.ts`).
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { Hub } from "../hub.ts";
import type { Gateway, Store } from "../store/types.ts";
import type { RosterSync } from "./roster.ts";
import type { XmlElement } from "./xml.ts";

/** What the commands need. */
export interface AdhocDeps {
  config: () => Config;
  store: Store;
  roster?: RosterSync;
  /** Wakes the outbox driver after a queued SMS/USSD. */
  hub?: Hub;
}

/** Who is asking: their line (users), whether they are an admin, their full JID. */
export interface Asker {
  gateway?: Gateway;
  admin: boolean;
  from: string;
}

/** One command: its node, who may run it, its form and its outcome. */
export interface Command {
  node: string;
  name: string;
  admin: boolean;
  /** The form to ask for, or undefined when the command needs none. */
  form?: (a: Asker, d: AdhocDeps) => Promise<XmlElement>;
  /** The outcome text for the submitted fields. */
  run: (
    a: Asker,
    fields: Record<string, string>,
    d: AdhocDeps,
  ) => Promise<string>;
}
