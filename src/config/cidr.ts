/**
 * IP addresses and CIDR ranges (`GOIP_ALLOW_SOURCES`), pure.
 *
 * @module
 */

import { isIP } from "node:net";

/** A parsed CIDR range. */
export interface Cidr {
  family: 4 | 6;
  /** The address as 4 or 16 bytes. */
  bytes: Uint8Array;
  prefix: number;
}

/** True for a literal IPv4 or IPv6 address. */
export function isIpAddress(text: string): boolean {
  return isIP(text) !== 0;
}

/** The bytes of an IP address, or null when it is not one (IPv4-mapped IPv6 → IPv4). */
export function ipBytes(text: string): Uint8Array | null {
  const family = isIP(text);
  if (family === 4) return new Uint8Array(text.split(".").map(Number));
  if (family !== 6) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) return ipBytes(mapped[1]);
  let [head, tail] = text.includes("::") ? text.split("::") : [text, ""];
  let v4: number[] = [];
  const last = (tail || head).split(":").at(-1) ?? "";
  if (last.includes(".")) {
    v4 = last.split(".").map(Number);
    if (tail) tail = tail.slice(0, -last.length).replace(/:$/, "");
    else head = head.slice(0, -last.length).replace(/:$/, "");
  }
  const hs = head ? head.split(":") : [];
  const ts = tail ? tail.split(":") : [];
  const words = 8 - v4.length / 2;
  const zeros = text.includes("::") ? words - hs.length - ts.length : 0;
  const all = [...hs, ...Array(zeros).fill("0"), ...ts].map((h) =>
    parseInt(h, 16)
  );
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  out.set(v4, 12);
  return out;
}

/** Parse `10.0.0.0/8`, `2001:db8::/32` or a bare address (a /32 or /128); null if invalid. */
export function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.trim().split("/");
  if (extra !== undefined) return null;
  const bytes = ipBytes(addr);
  if (!bytes) return null;
  const family = bytes.length === 4 ? 4 : 6;
  const max = bytes.length * 8;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const prefix = len === undefined ? max : Number(len);
  if (prefix > max) return null;
  return { family, bytes, prefix };
}

/** Whether `ip` (an address, IPv4-mapped IPv6 allowed) lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const bytes = ipBytes(ip);
  if (!bytes || bytes.length !== cidr.bytes.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; i < bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (cidr.bytes[i] & mask)) return false;
  }
  return true;
}
