/**
 * The texts of the alerts goippy sends to ADMIN_JIDS. Pure: each says which
 * line or source, what happened, since when, and the GoIP's own words where
 * it gave any.
 *
 * @module
 */

import type { LineState } from "../store/types.ts";

/** `2026-11-30 12:05 UTC`. */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** `5 min`, `2 h 5 min`, `40 s`. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** `line 2001 (goippy_2001)`. */
function lineName(goipId: string, ext: string): string {
  return ext ? `line ${ext} (${goipId})` : `line ${goipId}`;
}

/** What the line last said of itself, e.g. `; last seen: GSM LOGOUT, signal 3`. */
function lastWords(state: LineState | undefined): string {
  if (!state) return "";
  const parts: string[] = [];
  if (state.gsmStatus) parts.push(`GSM ${state.gsmStatus}`);
  if (state.signal !== null) parts.push(`signal ${state.signal}`);
  if (state.provider) parts.push(state.provider);
  return parts.length ? `; it last reported ${parts.join(", ")}` : "";
}

/** A line silent since `sinceMs`. */
export function lineOfflineAlert(
  goipId: string,
  ext: string,
  sinceMs: number,
  nowMs: number,
  state: LineState | undefined,
): string {
  const seen = state?.lastSeenMs ? state.lastSeenMs : sinceMs;
  return `⚠ goippy: ${lineName(goipId, ext)} is offline: no keepalive since ${
    clock(seen)
  } (${span(nowMs - seen)})${lastWords(state)}.`;
}

/** A line back after an offline alert. */
export function lineBackAlert(
  goipId: string,
  ext: string,
  offlineMs: number,
): string {
  return `✓ goippy: ${lineName(goipId, ext)} is back online after ${
    span(offlineMs)
  } offline.`;
}

/** A source address blocked after too many failed authentications. */
export function authAlert(ip: string, why: string, blockS: number): string {
  return `⚠ goippy: ${ip} keeps failing authentication (last: ${why}); it is ignored for ${blockS} s. A GoIP with a wrong password, or someone guessing.`;
}

/** The oldest item of an online line has waited too long. */
export function stuckAlert(
  goipId: string,
  ext: string,
  item: { id: number; kind: string; number: string; error: string },
  waitedMs: number,
): string {
  const what = item.kind === "ussd" ? "USSD request" : `SMS to ${item.number}`;
  const err = item.error ? `; last error: ${item.error}` : "";
  return `⚠ goippy: ${
    lineName(goipId, ext)
  } is online but its queue is stuck: the oldest item (#${item.id}, ${what}) has waited ${
    span(waitedMs)
  }${err}.`;
}
