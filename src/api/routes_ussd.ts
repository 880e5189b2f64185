/**
 * `POST /api/v1/ussd`: a USSD code follows the live-USSD rule (refused at
 * once when its line is offline, never queued for later); the request then
 * waits, bounded, for the GoIP's answer.
 *
 * @module
 */

import { ussdOfflineText } from "../outbound/ussd_live.ts";
import type { ApiToken, OutboxItem } from "../store/types.ts";
import { type ApiContext, lineFor } from "./context.ts";
import { ApiError } from "./errors.ts";

interface UssdRequest {
  line: string;
  code: string;
}

/** How often the row is looked at while waiting. */
const POLL_MS = 100;

/** Dial and wait; 200 with the answer, the failure, or the pending state. */
export async function postUssd(
  ctx: ApiContext,
  token: ApiToken,
  body: unknown,
  signal: AbortSignal,
): Promise<Response> {
  const req = ctx.check<UssdRequest>("UssdRequest", body);
  const g = await lineFor(ctx, token, req.line);
  const config = ctx.config();
  const offline = ussdOfflineText(
    await ctx.store.lineState(g.goipId),
    ctx.now(),
    config.GOIP_OFFLINE_AFTER,
  );
  if (offline) throw new ApiError(503, "line_offline", offline);
  const id = await ctx.store.enqueueOutbox({
    ext: g.ext,
    goipId: g.goipId,
    kind: "ussd",
    number: "",
    body: req.code,
    fromJid: "",
    toJid: "",
    stanzaId: "",
    wantReceipt: false,
    origin: "api",
  });
  ctx.hub.emit("outbox", { goipId: g.goipId });
  // The sender gives up within USSD_TTL plus its own answer timeout.
  const deadline = Date.now() + (config.USSD_TTL + 30) * 1000;
  let item: OutboxItem | undefined;
  while (true) {
    item = await ctx.store.outboxItem(id);
    const pending = !item || item.state === "queued" ||
      item.state === "sending";
    if (!pending || Date.now() >= deadline || signal.aborted) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return Response.json({
    id,
    state: item?.state ?? "failed",
    answer: item?.result ?? "",
    error: item?.error ?? "",
  });
}
