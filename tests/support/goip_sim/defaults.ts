/**
 * Defaults of a simulated GoIP channel and small helpers of {@linkcode GoipSim}.
 *
 * @module
 */

import type { DeviceSettings } from "./types.ts";

/** Module settings used when {@linkcode GoipSim.start} is not told otherwise. */
export const DEVICE_DEFAULTS: Readonly<
  Omit<DeviceSettings, "password" | "num" | "imei">
> = {
  smsBehaviour: "ok",
  okDelayMs: 20,
  waitCount: 3,
  waitIntervalMs: 50,
  smsNoMax: 255,
  ussdBehaviour: "ok",
  ussdDelayMs: 20,
  ussdAnswer: "Your balance is 5.00 EUR",
  ussdPadding: 0,
  ussdError: "network",
  controlBehaviour: "ok",
  maxSessions: 5,
  sessionTimeoutMs: 90_000,
};

/** The module settings for a channel: defaults overlaid with given options. */
export function deviceSettings(
  id: string,
  opts: Partial<DeviceSettings> & { password: string },
): DeviceSettings {
  const settings: DeviceSettings = {
    ...DEVICE_DEFAULTS,
    password: opts.password,
    num: "",
    imei: imeiFor(id),
  };
  const keys = Object.keys(settings) as (keyof DeviceSettings)[];
  const target = settings as unknown as Record<string, unknown>;
  for (const key of keys) {
    if (opts[key] !== undefined) target[key] = opts[key];
  }
  return settings;
}

/** A plausible 15-digit IMEI derived from the channel ID. */
export function imeiFor(id: string): string {
  let h = 7;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return ("86" + String(h).padStart(13, "0")).slice(0, 15);
}

const DEVICE_COMMANDS = new Set([
  "SMS",
  "MSG",
  "PASSWORD",
  "SEND",
  "DONE",
  "USSD",
  "USSDEXIT",
]);

/** An ack or keepalive reply (not a command for the module). */
export function isLateReply(text: string): boolean {
  if (/^reg:-?\d+;/.test(text)) return true;
  const m = /^([A-Z_]+) -?\d+ (OK|ERROR)\b/.exec(text);
  return m !== null && !DEVICE_COMMANDS.has(m[1]);
}
