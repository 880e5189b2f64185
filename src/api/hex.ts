/**
 * Lower-case hex of bytes (tokens, hashes, signatures).
 *
 * @module
 */

/** `bytes` as lower-case hex. */
export function encodeHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
