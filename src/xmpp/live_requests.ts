/**
 * The live-request rules at the moment a user's message is about to be
 * queued: a USSD code for an offline line is refused (it never waits for the
 * line), and the first SMS that has to wait for an offline line earns the
 * user a notice from their own line.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { LineState, Store } from "../store/types.ts";
import { startsWait, waitNoticeText } from "../outbound/sms_wait_notice.ts";
import { ussdOfflineText } from "../outbound/ussd_live.ts";
import type { StanzaErrorSpec } from "./stanzas.ts";

/** What to do before queueing: refuse, or queue (and maybe notify). */
export interface LiveCheck {
  /** Refuse the message with this error; nothing is queued. */
  refusal?: StanzaErrorSpec;
  /** Queue it, then tell the user this from their own line. */
  waitNotice?: string;
}

/** The live-request rules for one message about to be queued on a line. */
export async function liveCheck(
  kind: "sms" | "ussd",
  goipId: string,
  line: LineState | undefined,
  d: { store: Pick<Store, "nextQueued">; config: Config; nowMs: number },
): Promise<LiveCheck> {
  const offlineAfterS = d.config.GOIP_OFFLINE_AFTER;
  if (kind === "ussd") {
    const text = ussdOfflineText(line, d.nowMs, offlineAfterS);
    return text
      ? { refusal: { type: "wait", condition: "recipient-unavailable", text } }
      : {};
  }
  const first = await startsWait(
    line,
    d.nowMs,
    offlineAfterS,
    async () => !!(await d.store.nextQueued(goipId)),
  );
  return first
    ? { waitNotice: waitNoticeText(line, d.nowMs, d.config.QUEUE_TTL) }
    : {};
}
