/**
 * What a user reads after retracting (XEP-0424) a message goippy holds:
 * the confirmation, or why it could not be withdrawn. Pure.
 *
 * @module
 */

import type { OutboxItem } from "../store/types.ts";

/** The error state kept on a withdrawn row. */
export const WITHDRAWN_TEXT = "withdrawn by its sender before it was sent";

/** Confirmation of a withdrawn item, sent in the conversation it belongs to. */
export function withdrawnText(item: OutboxItem): string {
  return item.kind === "ussd"
    ? `Withdrawn: your USSD request ${item.body} was not sent.`
    : `Withdrawn: your message was not sent to ${item.number}.`;
}

/**
 * Why a retraction could not withdraw `item` (undefined: goippy holds no
 * message of the user's with that id).
 */
export function notWithdrawnText(item: OutboxItem | undefined): string {
  if (!item) {
    return "Nothing to withdraw: goippy holds no message of yours with that id. An SMS already sent cannot be unsent.";
  }
  switch (item.state) {
    case "retracted":
      return "That message was already withdrawn; it was not sent.";
    case "failed":
    case "expired":
      return `That message was never sent (${item.state}); nothing to withdraw.`;
    default:
      return item.kind === "ussd"
        ? "Already sent; a USSD request cannot be taken back."
        : "Already sent; an SMS cannot be unsent.";
  }
}
