/**
 * The words goippy answers itself on the user's own line (`status`, `help`),
 * and the presence status text of that line. Pure text builders.
 *
 * @module
 */

import { lineOnline } from "../line_online.ts";
import { type LineUsage, usedOf } from "../limits/mod.ts";
import type { Gateway, LineState, OutboxItem } from "../store/types.ts";

/** `signal 23/31, EMT` (parts that are unknown are left out). */
export function lineStatusText(state: LineState): string {
  const parts: string[] = [];
  if (state.signal !== null && state.signal !== undefined) {
    parts.push(`signal ${state.signal}/31`);
  }
  if (state.provider) parts.push(state.provider);
  return parts.join(", ") || "online";
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** What the `status` command reports. */
export interface StatusFacts {
  gateway: Gateway;
  state: LineState | undefined;
  /** The oldest queued outgoing message of the line, if any. */
  oldestQueued: OutboxItem | undefined;
  nowMs: number;
  offlineAfterS: number;
  /** The line's send limits and their use (no line about them when absent). */
  sends?: LineUsage;
}

/** `Sent: 3/30 this hour, 12/- today (UTC), …` or "" when the line has no limit or pace. */
export function sendsText(s: LineUsage): string {
  const { limits: l, usage: u } = s;
  const parts: string[] = [];
  if (l.hour > 0 || l.day > 0 || l.recipients > 0) {
    parts.push(
      `Sent: ${usedOf(u.hour, l.hour)} this hour, ${
        usedOf(u.day, l.day)
      } today (UTC), ${
        usedOf(u.recipients, l.recipients)
      } recipients this month (UTC)`,
    );
  }
  if (l.intervalS > 0 || l.jitterS > 0) {
    parts.push(
      `Pace: one SMS every ${l.intervalS} s` +
        (l.jitterS > 0 ? ` + up to ${l.jitterS} s` : ""),
    );
  }
  return parts.join("\n");
}

/** The answer to `status`. */
export function statusText(f: StatusFacts): string {
  const online = lineOnline(f.state, f.nowMs, {
    GOIP_OFFLINE_AFTER: f.offlineAfterS,
  });
  const lines = [
    `Line ${
      f.gateway.msisdn
        ? "+" + f.gateway.msisdn.replace(/^\+/, "")
        : "(number unknown)"
    } ` +
    `(ext ${f.gateway.ext}, GoIP ${f.gateway.goipId}): ${
      online ? "online" : "offline"
    }` +
    (f.gateway.enabled ? "" : ", disabled"),
  ];
  if (f.state && f.state.lastSeenMs > 0) {
    lines.push(`Signal: ${f.state.signal ?? "unknown"}/31`);
    lines.push(`Operator: ${f.state.provider || "unknown"}`);
    lines.push(
      `Last seen: ${new Date(f.state.lastSeenMs).toISOString()} (${
        ago(f.nowMs - f.state.lastSeenMs)
      })`,
    );
  } else {
    lines.push("Last seen: never (no keepalive from the GoIP yet)");
  }
  lines.push(
    f.oldestQueued
      ? `Queued: messages waiting to go out (oldest from ${
        ago(f.nowMs - f.oldestQueued.createdMs)
      })`
      : "Queued: nothing waiting",
  );
  const sends = f.sends ? sendsText(f.sends) : "";
  if (sends) lines.push(sends);
  return lines.join("\n");
}

/** The answer to `help`. */
export function helpText(componentJid: string, msisdn: string): string {
  const own = msisdn
    ? `+${msisdn.replace(/^\+/, "")}@${componentJid}`
    : componentJid;
  return [
    "goippy: SMS and USSD through your GSM line.",
    `• SMS: write to +<number>@${componentJid} (e.g. +3725551234@${componentJid}); ` +
    "replies arrive from the same address. Ask for a receipt and you get one when the SMS is delivered.",
    `• USSD: send a code such as *100# here (${own}); the answer comes back as "[USSD] …".`,
    "• status: your line's state, signal, operator and queue.",
    '• name +<number> <name>: your name for a number (shown on its messages); "name +<number>" clears it.',
    "• block +<number> / unblock +<number>: SMS from a blocked number are kept, not delivered; SMS to it are refused.",
    "• contacts: your named and blocked numbers.",
    "• help: this text.",
  ].join("\n");
}
