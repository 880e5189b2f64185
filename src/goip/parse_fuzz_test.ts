/**
 * The parser alone, fuzzed with a fixed seed: random bytes and mutations of
 * real packets never make it throw, and every result is a well-typed packet.
 */

import { deepStrictEqual, ok } from "node:assert/strict";
import { DatagramFuzzer } from "../../tests/support/fuzz_datagrams.ts";
import { seededRandom } from "../../tests/support/goip_sim/mod.ts";
import { decodeDatagram, MAX_DATAGRAM_BYTES, parseDatagram } from "./parse.ts";
import type { GoipPacket } from "./types.ts";

const ROUNDS = 200_000;
const REPLY_KINDS = new Set([
  "ok",
  "wait",
  "error",
  "password",
  "send",
  "done",
  "ussd",
  "ussderror",
  "ussdexit",
  "control",
]);

const isInt = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v);
const isIntOrNull = (v: unknown) => v === null || isInt(v);
const isStr = (v: unknown) => typeof v === "string";

/** A problem with the packet's shape, or "" when it is well typed. */
function shapeProblem(p: GoipPacket): string {
  switch (p.type) {
    case "invalid":
      return isStr(p.reason) && p.reason !== "" ? "" : "invalid without reason";
    case "keepalive":
      return isInt(p.n) && isStr(p.id) && isStr(p.pass) && isStr(p.num) &&
          isIntOrNull(p.signal) && isIntOrNull(p.remainTime) &&
          (p.disableStatus === null || typeof p.disableStatus === "boolean")
        ? ""
        : "keepalive fields";
    case "receive":
      return isInt(p.n) && isStr(p.id) && isStr(p.password) &&
          isStr(p.srcnum) && isStr(p.msg)
        ? ""
        : "receive fields";
    case "deliver":
      return isInt(p.n) && isInt(p.smsNo) && isStr(p.id) ? "" : "deliver";
    case "record":
    case "hangup":
    case "event":
      return isInt(p.n) && isStr(p.id) && isStr(p.password) ? "" : p.type;
    case "reply":
      return REPLY_KINDS.has(p.kind) && isInt(p.sendid) ? "" : "reply";
    default:
      return `unknown type ${(p as { type: unknown }).type}`;
  }
}

Deno.test("parser fuzz: 200,000 random and mutated datagrams never throw, always typed", () => {
  const fuzz = new DatagramFuzzer(20261129);
  const counts: Record<string, number> = {};
  let undecodable = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const bytes = fuzz.next();
    const text = decodeDatagram(bytes);
    if (text === null) {
      undecodable++;
      continue;
    }
    ok(bytes.length <= MAX_DATAGRAM_BYTES, `round ${i}: oversized decoded`);
    let p: GoipPacket;
    try {
      p = parseDatagram(text);
    } catch (err) {
      throw new Error(`round ${i}: threw on ${JSON.stringify(text)}: ${err}`);
    }
    const problem = shapeProblem(p);
    if (problem) {
      throw new Error(
        `round ${i}: ${problem}: ${JSON.stringify(text)} -> ${
          JSON.stringify(p)
        }`,
      );
    }
    counts[p.type] = (counts[p.type] ?? 0) + 1;
  }
  // The generator reaches every kind of packet, and the guard paths too.
  for (
    const t of [
      "invalid",
      "keepalive",
      "receive",
      "deliver",
      "record",
      "hangup",
      "event",
      "reply",
    ]
  ) {
    ok((counts[t] ?? 0) > 100, `only ${counts[t] ?? 0} ${t} packets`);
  }
  ok(undecodable > 1000, `only ${undecodable} undecodable datagrams`);
});

Deno.test("parser fuzz: any RECEIVE text comes back byte for byte (10,000 seeded texts)", () => {
  const rnd = seededRandom(7);
  const alphabet = [
    ..."ab;:=\n\r \t,.+()<>",
    "(null)",
    "msg:",
    "é",
    "\u{1F600}",
  ];
  for (let i = 0; i < 10_000; i++) {
    const len = Math.floor(rnd() * 60);
    let msg = "";
    for (let j = 0; j < len; j++) {
      msg += alphabet[Math.floor(rnd() * alphabet.length)];
    }
    const text =
      `RECEIVE:${i};id:goip_1;password:pw;srcnum:+3725551234;msg:${msg}`;
    const p = parseDatagram(text);
    // Only trailing CR/LF is trimmed from a datagram (protocol reference).
    deepStrictEqual(
      p.type === "receive" ? p.msg : p,
      msg.replace(/[\r\n]+$/, ""),
      JSON.stringify(text),
    );
  }
});

Deno.test("decodeDatagram: oversized and invalid UTF-8 are refused, never thrown", () => {
  const table: [string, Uint8Array, boolean][] = [
    ["8192 bytes", new Uint8Array(MAX_DATAGRAM_BYTES).fill(0x41), true],
    ["8193 bytes", new Uint8Array(MAX_DATAGRAM_BYTES + 1).fill(0x41), false],
    ["lone continuation byte", new Uint8Array([0x41, 0x80]), false],
    ["truncated sequence", new Uint8Array([0xe2, 0x82]), false],
    ["overlong slash", new Uint8Array([0xc0, 0xaf]), false],
    ["surrogate", new Uint8Array([0xed, 0xa0, 0x80]), false],
    ["NUL is text", new Uint8Array([0x00]), true],
    ["empty", new Uint8Array(0), true],
  ];
  for (const [name, bytes, decodes] of table) {
    deepStrictEqual(decodeDatagram(bytes) !== null, decodes, name);
  }
});
