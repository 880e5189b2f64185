/**
 * Webhook bodies and their signature: `X-Goippy-Signature: sha256=<hex
 * HMAC-SHA256 of the exact body bytes, keyed with the receiver's secret>`.
 *
 * @module
 */

import type { WebhookEvent } from "../store/types.ts";
import { encodeHex } from "./hex.ts";

/** The JSON body POSTed for an event: `{id, event, created, data}`. */
export function webhookBody(e: WebhookEvent): string {
  return `{"id":${e.id},"event":${JSON.stringify(e.event)},"created":${
    JSON.stringify(new Date(e.createdMs).toISOString())
  },"data":${e.payload}}`;
}

/** The signature header's value for `body`. */
export async function signature(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(body),
  );
  return `sha256=${encodeHex(new Uint8Array(mac))}`;
}

/** Backoff before retry `n` (1, 2, …): doubling from 1 s, at most 5 min. */
export function retryDelayMs(n: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.min(n - 1, 20));
}
