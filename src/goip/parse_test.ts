import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { decodeDatagram, MAX_DATAGRAM_BYTES, parseDatagram } from "./parse.ts";

interface Case {
  name: string;
  text: string;
  /** Expected fields; `fields.<key>` looks into the packet's `fields`. */
  want: Record<string, unknown>;
}

const CASES: Case[] = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/packets.json", import.meta.url)),
);

for (const c of CASES) {
  Deno.test(`parseDatagram: ${c.name}`, () => {
    const p = parseDatagram(c.text) as unknown as Record<string, unknown>;
    const got: Record<string, unknown> = {};
    for (const key of Object.keys(c.want)) {
      got[key] = key.startsWith("fields.")
        ? (p.fields as Record<string, string> | undefined)?.[key.slice(7)]
        : p[key];
    }
    assertEquals(got, c.want);
  });
}

Deno.test("parseDatagram: never throws on random input", () => {
  let seed = 12345;
  const rnd = () =>
    (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = "req:RECEIVE;msg:id,cause: OK 12-\r\n(null)<NULL>USSD😀";
  for (let i = 0; i < 2000; i++) {
    let s = "";
    const len = Math.floor(rnd() * 60);
    for (let j = 0; j < len; j++) {
      s += alphabet[Math.floor(rnd() * alphabet.length)];
    }
    const p = parseDatagram(s);
    if (typeof p.type !== "string") throw new Error(`no type for ${s}`);
  }
});

Deno.test("decodeDatagram: UTF-8, invalid UTF-8, oversized", () => {
  const enc = new TextEncoder();
  assertEquals(decodeDatagram(enc.encode("req:1;id:x;")), "req:1;id:x;");
  assertEquals(decodeDatagram(enc.encode("msg:测试😀")), "msg:测试😀");
  assertEquals(decodeDatagram(new Uint8Array([0x52, 0xff, 0xfe])), null);
  assertEquals(decodeDatagram(new Uint8Array([0xe6, 0xb5])), null);
  assertEquals(decodeDatagram(new Uint8Array(0)), "");
  assertEquals(
    decodeDatagram(new Uint8Array(MAX_DATAGRAM_BYTES).fill(0x41))?.length,
    MAX_DATAGRAM_BYTES,
  );
  assertEquals(decodeDatagram(new Uint8Array(MAX_DATAGRAM_BYTES + 1)), null);
});
