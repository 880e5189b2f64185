/**
 * Seeded generator of hostile GoIP datagrams for fuzz tests: random bytes,
 * and mutations (bit flips, token injection, splices, truncation, huge
 * numbers, repeated fields, oversize) of real packet shapes. The same seed
 * gives the same sequence.
 *
 * @module
 */

import { seededRandom } from "./goip_sim/mod.ts";

/** Real packet shapes (device → server), from the protocol reference. */
export const SEED_PACKETS: readonly string[] = [
  "req:27;id:goip_1;pass:secret;num:+37255512345;signal:29;gsm_status:LOGIN;voip_status:LOGOUT;voip_state:IDLE;remain_time:-1;imei:861234567890123;imsi:248010000000001;iccid:8937201000000000001;pro:EMT;idle:11;disable_status:0;SMS_LOGIN:N;SMB_LOGIN:;CELLINFO:LAC:7E5,CELL ID:5E5B;CGATT:Y;",
  "req:1;id:goip_1;pass:secret;num:123;signal:15;gsm_status:LOGIN;voip_status:LOGOUT",
  "RECEIVE:1571812849;id:goip_1;password:secret;srcnum:+3725551234;msg:Hello; it's me: 1:2",
  "RECEIVE:-12;id:goip_1;pass:secret;srcnum:+3725551234;smscnum:+37250000;msg:line1\nline2",
  "DELIVER:1571812803;id:goip_1;password:secret;sms_no:32;state:0;num:+3725551234",
  "RECORD:1571812900;id:goip_1;password:secret;dir:1;num:+3725551234",
  "HANGUP:1571812901;id:goip_1;password:secret;num:+3725551234,cause:Normal call clearing",
  "STATE:1571812902;id:goip_1;password:secret;gsm_remain_state:DIALING:123",
  "REMAIN:1571812903;id:goip_1;password:secret;gsm_remain_time:-1",
  "USSN:1571812904;id:goip_1;password:secret;msg:Your balance is 5.00; thanks",
  "CELLS:1571812905;id:goip_1;password:secret;lists:1,2,3,",
  "EXPIRY:1571812906;id:goip_1;password:secret;exp:0",
  "OK 12 1 32",
  "OK 12 1",
  "WAIT 12 1",
  "ERROR 12 GSM_LOGOUT",
  "ERROR 12 1 errorstatus:1",
  "PASSWORD 12",
  "SEND 12",
  "DONE 12",
  "USSD 13 Balance 5.00 EUR@@@@",
  "USSDERROR 13 network busy",
  "USSDEXIT 13",
  "get_gsm_num 14 +3725551234",
  "START 1 2 3",
];

const TOKENS = [
  ";",
  ":",
  "\n",
  "\r\n",
  "\0",
  " ",
  ";msg:",
  ";id:",
  ";password:",
  ";pass:",
  "(null)",
  "<NULL>",
  "-",
  "99999999999999999999999",
  "-9007199254740993",
  "1e308",
  "NaN",
  "0x1F",
  "\u{1F600}",
  "\uFEFF",
  "é",
  "%s%n",
  "'); DROP TABLE goippy_gateways; --",
  "req:",
  "RECEIVE:",
  "__proto__",
  "constructor",
];

const enc = new TextEncoder();
/** Longest datagram generated. */
export const MAX_FUZZ_BYTES = 16_384;

/** A seeded datagram source. */
export class DatagramFuzzer {
  readonly #rnd: () => number;
  readonly #seeds: Uint8Array[];

  constructor(seed: number, seeds: readonly string[] = SEED_PACKETS) {
    this.#rnd = seededRandom(seed);
    this.#seeds = seeds.map((s) => enc.encode(s));
  }

  #int(n: number): number {
    return Math.floor(this.#rnd() * n);
  }

  #pick<T>(xs: readonly T[]): T {
    return xs[this.#int(xs.length)];
  }

  /** The next datagram: about 1 in 8 random bytes, the rest mutated packets. */
  next(): Uint8Array {
    if (this.#int(8) === 0) return this.#randomBytes();
    let b = this.#pick(this.#seeds);
    const rounds = 1 + this.#int(4);
    for (let i = 0; i < rounds; i++) b = this.#mutate(b);
    // Stay well inside a UDP datagram (still twice goippy's limit).
    return b.length > MAX_FUZZ_BYTES ? b.subarray(0, MAX_FUZZ_BYTES) : b;
  }

  #randomBytes(): Uint8Array {
    const len = this.#int(10) === 0 ? this.#int(9000) : this.#int(200);
    const b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = this.#int(256);
    return b;
  }

  #mutate(src: Uint8Array): Uint8Array {
    const b = src.slice();
    const at = b.length ? this.#int(b.length) : 0;
    switch (this.#int(9)) {
      case 0: { // flip bits
        const flips = 1 + this.#int(4);
        for (let i = 0; i < flips && b.length; i++) {
          b[this.#int(b.length)] ^= 1 << this.#int(8);
        }
        return b;
      }
      case 1: // inject a token
        return concat(
          b.subarray(0, at),
          enc.encode(this.#pick(TOKENS)),
          b.subarray(at),
        );
      case 2: { // delete a range
        const len = this.#int(Math.max(1, b.length - at));
        return concat(b.subarray(0, at), b.subarray(at + len));
      }
      case 3: // truncate
        return b.subarray(0, at);
      case 4: { // splice with another packet
        const o = this.#pick(this.#seeds);
        return concat(b.subarray(0, at), o.subarray(this.#int(o.length + 1)));
      }
      case 5: { // repeat a range many times
        const len = 1 + this.#int(Math.min(40, Math.max(1, b.length - at)));
        const piece = b.subarray(at, at + len);
        const times = 1 + this.#int(this.#int(4) === 0 ? 400 : 20);
        return concat(
          b.subarray(0, at),
          ...Array.from({ length: times }, () => piece),
          b.subarray(at),
        );
      }
      case 6: { // replace a number with an extreme one
        const text = new TextDecoder().decode(b);
        return enc.encode(
          text.replace(/-?\d+/, this.#pick(TOKENS.slice(12, 18))),
        );
      }
      case 7: // random byte
        if (b.length) b[at] = this.#int(256);
        return b;
      default: // oversize
        return concat(b, new Uint8Array(this.#int(9000)).fill(0x41));
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
