/**
 * Scenarios 3 and 4, through a real Prosody and a real XMPP client:
 * RECEIVE → `<message>` at the user (open-loop rates), and the user's
 * `<message>` → the SMS command taken by the simulated module.
 *
 * @module
 */

import { numberToJid } from "../src/xmpp/jid.ts";
import type { GoipSim } from "../tests/support/goip_sim/mod.ts";
import type { XmlElement, XmppUser } from "../tests/support/xmpp_user.ts";
import { paced } from "./pace.ts";
import { summarize, type Summary } from "./stats.ts";
import type { E2eStep, XmppToSmsResult } from "./types.ts";

/**
 * Stamp every message the user receives with its arrival time, keyed by
 * body. The user keeps its messages in an array and offers no callback, so
 * this wraps that array's `push` (one instance, the bench's own user).
 */
export function stampArrivals(user: XmppUser): Map<string, number> {
  const arrivals = new Map<string, number>();
  const messages = user.messages;
  const push = messages.push.bind(messages);
  messages.push = (...items: XmlElement[]) => {
    const now = performance.now();
    for (const m of items) {
      const body = m.getChildText("body");
      if (body !== null && !arrivals.has(body)) arrivals.set(body, now);
    }
    return push(...items);
  };
  return arrivals;
}

/** RECEIVE on `sim` at `rate` for `seconds`; latency until the user has each message. */
export async function e2eStep(
  sim: GoipSim,
  arrivals: Map<string, number>,
  rate: number,
  seconds: number,
  waitMs = 15_000,
): Promise<E2eStep> {
  const total = Math.max(1, Math.round(rate * seconds));
  const sentAt = new Map<string, number>();
  const exchanges: Promise<unknown>[] = [];
  const pace = await paced(rate, total, (i) => {
    const body = `e2e ${rate} ${i} ${crypto.randomUUID().slice(0, 8)}`;
    sentAt.set(body, performance.now());
    exchanges.push(
      sim.receive(`+37255520${String(i % 100).padStart(2, "0")}`, body),
    );
  });
  await Promise.all(exchanges);
  const end = Date.now() + waitMs;
  const missing = () => [...sentAt.keys()].some((b) => !arrivals.has(b));
  while (missing() && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const lat: number[] = [];
  for (const [body, t0] of sentAt) {
    const t1 = arrivals.get(body);
    if (t1 !== undefined) lat.push(t1 - t0);
  }
  return {
    rate,
    sent: pace.fired,
    received: lat.length,
    latency: summarize(lat),
  };
}

/**
 * The floor of {@linkcode e2eStep}: `sender` (another local user) writes to
 * `to` through the same Prosody at `rate` for `seconds`.
 */
export async function xmppFloorStep(
  sender: XmppUser,
  to: string,
  arrivals: Map<string, number>,
  rate: number,
  seconds: number,
  waitMs = 10_000,
): Promise<Summary> {
  const total = Math.max(1, Math.round(rate * seconds));
  const sentAt = new Map<string, number>();
  await paced(rate, total, (i) => {
    const body = `floor ${rate} ${i} ${crypto.randomUUID().slice(0, 8)}`;
    sentAt.set(body, performance.now());
    sender.sendMessage(to, body).catch(() => {});
  });
  const end = Date.now() + waitMs;
  const missing = () => [...sentAt.keys()].some((b) => !arrivals.has(b));
  while (missing() && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const lat: number[] = [];
  for (const [body, t0] of sentAt) {
    const t1 = arrivals.get(body);
    if (t1 !== undefined) lat.push(t1 - t0);
  }
  return summarize(lat);
}

/**
 * The user writes `count` messages at `rate` to a contact on the component;
 * latency until the module took each SMS (its `sentSms` record).
 */
export async function xmppToSmsScenario(
  user: XmppUser,
  sim: GoipSim,
  componentJid: string,
  rate: number,
  count: number,
  waitMs = 20_000,
): Promise<XmppToSmsResult> {
  const to = numberToJid("+3725553001", componentJid);
  const sentAt = new Map<string, number>();
  const before = sim.sentSms.length;
  const sends: Promise<unknown>[] = [];
  const pace = await paced(rate, count, (i) => {
    const body = `x2s ${i} ${crypto.randomUUID().slice(0, 8)}`;
    sentAt.set(body, Date.now());
    sends.push(user.sendMessage(to, body));
  });
  await Promise.all(sends);
  const end = Date.now() + waitMs;
  while (sim.sentSms.length - before < pace.fired && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const lat: number[] = [];
  const seen = new Set<string>();
  for (const sms of sim.sentSms.slice(before)) {
    const t0 = sentAt.get(sms.text);
    if (t0 === undefined || seen.has(sms.text)) continue;
    seen.add(sms.text);
    lat.push(sms.at - t0);
  }
  return {
    rate,
    sent: pace.fired,
    transmitted: seen.size,
    latency: summarize(lat),
  };
}
