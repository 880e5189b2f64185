/**
 * A user's XEP-0424 retraction of a message goippy holds: the item is
 * withdrawn when it still waits in the queue (a compare-and-set against the
 * driver's claim), and the user hears either way.
 *
 * @module
 */

import {
  notWithdrawnText,
  WITHDRAWN_TEXT,
  withdrawnText,
} from "../notices/edit_texts.ts";
import type { Store } from "../store/types.ts";
import type { Logger } from "../log.ts";
import { bareJid } from "./jid.ts";
import { chatMessage, errorMessage } from "./stanzas.ts";
import type { XmlElement } from "./xml.ts";

/** The retraction, as the handler has resolved it. */
export interface Retraction {
  goipId: string;
  /** Destination number ("" on the own line: a USSD request). */
  number: string;
  fromBare: string;
  /** The user's full JID (answers go there). */
  from: string;
  /** The JID the retraction was sent to. */
  to: string;
  /** The id of the retraction stanza itself. */
  id: string;
  /** The id of the message to withdraw. */
  refId: string;
}

/** Withdraw the referred item if it is still queued; answer the user. */
export async function retract(
  r: Retraction,
  d: { store: Store; log: Logger; send: (el: XmlElement) => Promise<void> },
): Promise<void> {
  const item = await d.store.findUserItem({
    goipId: r.goipId,
    number: r.number,
    fromBare: r.fromBare,
    stanzaId: r.refId,
  });
  if (item && await d.store.withdrawQueued(item.id, WITHDRAWN_TEXT)) {
    d.log.info(`XMPP: ${r.fromBare} withdrew ${item.kind} #${item.id}`);
    await d.send(
      chatMessage(
        bareJid(r.to),
        r.from,
        withdrawnText(item),
        `goippy-retract-${crypto.randomUUID()}`,
      ),
    );
    return;
  }
  const now = item ? await d.store.outboxItem(item.id) : undefined;
  const text = notWithdrawnText(now);
  d.log.info(`XMPP: retraction from ${r.fromBare} not applied: ${text}`);
  await d.send(
    errorMessage(bareJid(r.to), r.from, r.id, {
      type: "cancel",
      condition: now ? "not-allowed" : "item-not-found",
      text,
    }),
  );
}
