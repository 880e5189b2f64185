import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createHmac } from "node:crypto";
import { retryDelayMs, signature, webhookBody } from "./webhook_sign.ts";

Deno.test("a webhook body is the event's JSON, signed as the README tells receivers to check", async () => {
  const body = webhookBody({
    id: 7,
    createdMs: Date.UTC(2026, 0, 31, 12),
    event: "sms.received",
    payload: '{"line":"2001","from":"+3725559999","text":"tere"}',
  });
  assertEquals(JSON.parse(body), {
    id: 7,
    event: "sms.received",
    created: "2026-01-31T12:00:00.000Z",
    data: { line: "2001", from: "+3725559999", text: "tere" },
  });
  const expected = "sha256=" +
    createHmac("sha256", "s3cret").update(body).digest("hex");
  assertEquals(await signature("s3cret", body), expected);
});

Deno.test("retries back off by doubling up to five minutes", () => {
  assertEquals([1, 2, 3, 9, 10, 50].map(retryDelayMs), [
    1000,
    2000,
    4000,
    256_000,
    300_000,
    300_000,
  ]);
});
