/**
 * How the simulated module answers `USSD <sid> <pw> <code>`, including the
 * device quirk: it caches the last answer and gives it to any sendid not
 * greater than the cached one, without asking the network again.
 *
 * @module
 */

import type { SimDevice } from "./device.ts";
import type { ServerCommand } from "./packets.ts";

/** Handle one USSD request on module `d` (records it in `d.ussdRequests`). */
export function handleUssd(
  d: SimDevice,
  cmd: Extract<ServerCommand, { kind: "ussd" }>,
): void {
  const at = Date.now();
  const { sendid, password, code } = cmd;
  if (/[\r\n]/.test(code)) {
    d.violations.push(`USSD ${sendid} code contains a newline`);
  }
  const cache = d.ussdCache;
  if (cache && sendid <= cache.sendid) {
    d.ussdRequests.push({ sendid, code, password, at, cached: true });
    return d.reply(`USSD ${sendid} ${cache.text}`);
  }
  d.ussdRequests.push({ sendid, code, password, at, cached: false });
  if (password !== d.settings.password) {
    return d.reply(`ERROR ${sendid} PASSWORD`);
  }
  const setting = d.settings.ussdBehaviour;
  const b = typeof setting === "function" ? setting(code) : setting;
  if (b === "silent") return;
  if (b === "gsm-logout") return d.reply(`ERROR ${sendid} GSM_LOGOUT`);
  d.schedule(d.settings.ussdDelayMs, () => {
    if (b === "error") {
      return d.reply(`USSDERROR ${sendid} ${d.settings.ussdError}`);
    }
    const answer = d.settings.ussdAnswer;
    const text = b === "send-failed"
      ? "USSD send failed!"
      : (typeof answer === "function" ? answer(code) : answer) +
        "@".repeat(d.settings.ussdPadding);
    d.ussdCache = { sendid, text };
    d.reply(`USSD ${sendid} ${text}`);
  });
}
