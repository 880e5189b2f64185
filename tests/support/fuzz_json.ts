/**
 * Random request bodies for the API fuzz test: mutations of a valid SMS
 * request (wrong types, bad numbers, odd text, extra keys, missing keys),
 * random JSON values, deep nesting, broken JSON, random bytes and oversized
 * bodies. Deterministic for a seed.
 *
 * @module
 */

import type { Random } from "./goip_sim/prng.ts";

const STRINGS = [
  "",
  " ",
  "2001",
  "+3725551234",
  "3725551234",
  "+12",
  "+" + "9".repeat(21),
  "*100#",
  "null",
  "<script>alert(1)</script>",
  "'; DROP TABLE goippy_outbox; --",
  "\u0000",
  "\ud800",
  "👋".repeat(800),
  "x".repeat(3001),
  "../../etc/passwd",
  "%00",
  "2001\n",
  "二〇〇一",
];

function pick<T>(r: Random, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

function randomString(r: Random): string {
  if (r() < 0.6) return pick(r, STRINGS);
  const n = Math.floor(r() * 40);
  let s = "";
  for (let i = 0; i < n; i++) {
    s += String.fromCharCode(Math.floor(r() * (r() < 0.8 ? 128 : 0xffff)));
  }
  return s;
}

function randomValue(r: Random, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 7));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, [0, -1, 1e308, -0, 2 ** 53 + 1, 0.5, 2001]);
    case 3:
    case 4:
      return randomString(r);
    case 5:
      return Array.from(
        { length: Math.floor(r() * 4) },
        () => randomValue(r, depth + 1),
      );
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(r() * 4) }, () => [
          pick(r, ["line", "to", "text", "code", "__proto__", "x", ""]),
          randomValue(r, depth + 1),
        ]),
      );
  }
}

/** One random body (string or bytes) for `POST /api/v1/sms`. */
export function fuzzBody(r: Random): string | Uint8Array {
  const base: Record<string, unknown> = {
    line: "2001",
    to: "+3725551234",
    text: "hello",
  };
  const kind = Math.floor(r() * 10);
  switch (kind) {
    case 0:
      return JSON.stringify(randomValue(r));
    case 1: {
      const bytes = new Uint8Array(Math.floor(r() * 200));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
      return bytes;
    }
    case 2: {
      const text = JSON.stringify(base);
      return text.slice(0, Math.floor(r() * text.length));
    }
    case 3:
      return "[".repeat(Math.floor(r() * 5000)) +
        "]".repeat(Math.floor(r() * 5000));
    case 4:
      return JSON.stringify({ ...base, text: "x".repeat(33_000) });
    default: {
      // Mutate one to three fields of a valid request.
      const body: Record<string, unknown> = { ...base };
      const n = 1 + Math.floor(r() * 3);
      for (let i = 0; i < n; i++) {
        const key = pick(r, ["line", "to", "text", "extra"]);
        if (r() < 0.2) delete body[key];
        else body[key] = randomValue(r);
      }
      return JSON.stringify(body);
    }
  }
}
