/**
 * `POST /api/v1/sms` and `GET /api/v1/sms/{id}`: an SMS goes into the same
 * outbox as one from XMPP (origin "api"), under the same ACL and size
 * rules; the sender and its at-most-once rules do the rest. The outbox
 * row's state is the API's state.
 *
 * @module
 */

import { allowRegexMatches, MAX_SMS_BYTES } from "../destination.ts";
import type { ApiToken, NewOutboxItem, OutboxItem } from "../store/types.ts";
import { type ApiContext, inScope, iso, lineFor } from "./context.ts";
import { ApiError } from "./errors.ts";
import {
  enqueueGuard,
  limitText,
  retryAfterS,
  SendLimitError,
} from "../limits/mod.ts";

interface SmsRequest {
  line: string;
  to: string;
  text: string;
}

/** Longest Idempotency-Key taken. */
const MAX_KEY = 128;

/** Queue an SMS; 202 `{id, state}` (the first result again for a known key). */
export async function postSms(
  ctx: ApiContext,
  token: ApiToken,
  body: unknown,
  idemKey: string | null,
): Promise<Response> {
  const req = ctx.check<SmsRequest>("SmsRequest", body);
  if (idemKey !== null && !/^[\x21-\x7e]{1,128}$/.test(idemKey)) {
    throw new ApiError(
      422,
      "invalid",
      `Idempotency-Key must be 1 to ${MAX_KEY} printable ASCII characters`,
    );
  }
  const g = await lineFor(ctx, token, req.line);
  if (req.text.trim() === "") {
    throw new ApiError(422, "invalid", "text must not be blank");
  }
  const bytes = new TextEncoder().encode(req.text).length;
  if (bytes > MAX_SMS_BYTES) {
    throw new ApiError(
      422,
      "invalid",
      `text is ${bytes} bytes; the GoIP takes at most ${MAX_SMS_BYTES}`,
    );
  }
  const allowed = allowRegexMatches(g.allowRegex, req.to);
  if (allowed !== true) {
    throw new ApiError(
      403,
      "not_allowed",
      allowed === "invalid"
        ? `line ${g.ext}'s allow_regex is not a valid pattern; ask the admin`
        : `sending to ${req.to} is not allowed for line ${g.ext}`,
    );
  }
  const item: NewOutboxItem = {
    ext: g.ext,
    goipId: g.goipId,
    kind: "sms",
    number: req.to,
    body: req.text,
    fromJid: "",
    toJid: "",
    stanzaId: "",
    wantReceipt: false,
    origin: "api",
  };
  // Over a send limit: refused now, never queued to go out later. The
  // check is part of the enqueue's transaction.
  const now = Date.now();
  const guard = enqueueGuard(g, req.to, ctx.config(), now);
  let id: number;
  let state: string = "queued";
  try {
    if (idemKey === null) {
      id = await ctx.store.enqueueOutbox(item, guard);
    } else {
      const r = await ctx.store.enqueueOutboxOnce(
        item,
        token.id,
        idemKey,
        guard,
      );
      id = r.item.id;
      state = r.item.state;
      if (!r.created) {
        return Response.json({ id, state }, {
          status: 202,
          headers: { "idempotent-replay": "true" },
        });
      }
    }
  } catch (err) {
    if (!(err instanceof SendLimitError)) throw err;
    throw new ApiError(429, "limit_reached", limitText(g.ext, err.over), {
      "retry-after": String(retryAfterS(err.over, now)),
    });
  }
  ctx.hub.emit("outbox", { goipId: g.goipId });
  return Response.json({ id, state }, { status: 202 });
}

/** The state of an SMS this token may see (404 for any other). */
export async function getSms(
  ctx: ApiContext,
  token: ApiToken,
  idText: string,
): Promise<Response> {
  const id = /^[0-9]{1,15}$/.test(idText) ? Number(idText) : NaN;
  const item = Number.isSafeInteger(id)
    ? await ctx.store.outboxItem(id)
    : undefined;
  if (!item || item.kind !== "sms" || !inScope(token, item.ext)) {
    throw new ApiError(404, "not_found", `no SMS ${idText}`);
  }
  return Response.json(smsStatus(item));
}

/** The API's view of an outbox row. */
export function smsStatus(item: OutboxItem): Record<string, unknown> {
  return {
    id: item.id,
    line: item.ext,
    to: item.number,
    state: item.state,
    sms_no: item.smsNo,
    error: item.error,
    created: iso(item.createdMs),
    updated: iso(item.updatedMs),
  };
}
