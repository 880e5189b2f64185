import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { cidrContains, ipBytes, isIpAddress, parseCidr } from "./cidr.ts";

Deno.test("IP addresses", () => {
  const table: [string, number[] | null][] = [
    ["10.1.2.3", [10, 1, 2, 3]],
    ["::ffff:10.1.2.3", [10, 1, 2, 3]],
    ["::1", [...Array(15).fill(0), 1]],
    ["2001:db8::ff00:42:8329", [
      0x20,
      0x01,
      0x0d,
      0xb8,
      0,
      0,
      0,
      0,
      0,
      0,
      0xff,
      0,
      0,
      0x42,
      0x83,
      0x29,
    ]],
    ["64:ff9b::1.2.3.4", [
      0,
      0x64,
      0xff,
      0x9b,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      2,
      3,
      4,
    ]],
    ["256.1.1.1", null],
    ["example.org", null],
    ["", null],
  ];
  for (const [text, want] of table) {
    const got = ipBytes(text);
    assertEquals(got && [...got], want, text);
    assertEquals(isIpAddress(text), want !== null || text.startsWith("::ffff"));
  }
});

Deno.test("CIDR parsing and matching", () => {
  const table: [string, string, boolean][] = [
    ["192.168.1.0/24", "192.168.1.77", true],
    ["192.168.1.0/24", "192.168.2.1", false],
    ["192.168.1.0/24", "::ffff:192.168.1.5", true],
    ["10.0.0.7", "10.0.0.7", true],
    ["10.0.0.7", "10.0.0.8", false],
    ["0.0.0.0/0", "8.8.8.8", true],
    ["10.0.0.0/9", "10.127.0.1", true],
    ["10.0.0.0/9", "10.128.0.1", false],
    ["2001:db8::/32", "2001:db8:1::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["2001:db8::/32", "10.0.0.1", false],
    ["::/0", "::1", true],
  ];
  for (const [cidr, ip, want] of table) {
    const c = parseCidr(cidr);
    if (!c) throw new Error(`${cidr} did not parse`);
    assertEquals(cidrContains(c, ip), want, `${cidr} ∋ ${ip}`);
  }
  for (
    const bad of [
      "10.0.0.0/33",
      "::/129",
      "10.0.0.0/",
      "1.2.3/8",
      "x/8",
      "10.0.0.0/8/8",
      "10.0.0.0/-1",
    ]
  ) {
    assertEquals(parseCidr(bad), null, bad);
  }
});
