/**
 * API tokens: a random 32-byte secret shown once; only its SHA-256 is
 * stored, so a copy of the database lets nobody call the API.
 *
 * @module
 */

import { encodeHex } from "./hex.ts";

/** The printed form's prefix, so a leaked token is recognisable. */
export const TOKEN_PREFIX = "gpy_";

/** A new random token and its hash. */
export async function newToken(): Promise<{ token: string; hash: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = TOKEN_PREFIX + encodeHex(bytes);
  return { token, hash: await hashToken(token) };
}

/** Hex SHA-256 of a token as presented by a client. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(token),
  );
  return encodeHex(new Uint8Array(digest));
}

/** The bearer token of a request's `Authorization` header, or null. */
export function bearer(header: string | null): string | null {
  const m = /^Bearer\s+(\S{1,200})\s*$/i.exec(header ?? "");
  return m ? m[1] : null;
}
