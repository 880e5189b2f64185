/**
 * Datagrams goippy sends to a GoIP, as exact text. Pure functions; the caller
 * validates numbers, passwords and codes (space-separated tokens) first.
 *
 * @module
 */

/** Keepalive answer: `reg:<n>;status:<status>;`. */
export function formatKeepaliveReply(n: number, status: number): string {
  return `reg:${n};status:${status};`;
}

/** Event acknowledgement: `<NAME> <n> OK` (e.g. `RECEIVE 12 OK`). */
export function formatAck(name: string, n: number): string {
  return `${name.toUpperCase()} ${n} OK`;
}

/** One-packet SMS: `SMS <sendid> <telid> <password> <number> <text>`. */
export function formatSms(
  sendid: number,
  telid: number,
  password: string,
  number: string,
  text: string,
): string {
  return `SMS ${sendid} ${telid} ${password} ${number} ${text}`;
}

/** UTF-8 byte length of a text. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Session form step 1: `MSG <sendid> <utf8 byte len> <text>\n`. */
export function formatMsg(sendid: number, text: string): string {
  return `MSG ${sendid} ${utf8Length(text)} ${text}\n`;
}

/** Session form step 3: `PASSWORD <sendid> <password>\n`. */
export function formatPassword(sendid: number, password: string): string {
  return `PASSWORD ${sendid} ${password}\n`;
}

/** Session form step 5: `SEND <sendid> <telid> <number>\n`. */
export function formatSend(
  sendid: number,
  telid: number,
  number: string,
): string {
  return `SEND ${sendid} ${telid} ${number}\n`;
}

/** Session form end: `DONE <sendid>\n`. */
export function formatDone(sendid: number): string {
  return `DONE ${sendid}\n`;
}

/** USSD request `USSD <sendid> <password> <code>` (no newline: it leaks into the code). */
export function formatUssd(
  sendid: number,
  password: string,
  code: string,
): string {
  return `USSD ${sendid} ${password} ${code}`;
}

/** Close the USSD session: `USSDEXIT <sendid> <password>`. */
export function formatUssdExit(sendid: number, password: string): string {
  return `USSDEXIT ${sendid} ${password}`;
}

/** Control command `<cmd> <sendid> [value] <password>` (value before password). */
export function formatControl(
  command: string,
  sendid: number,
  password: string,
  value?: string,
): string {
  return value === undefined || value === ""
    ? `${command} ${sendid} ${password}`
    : `${command} ${sendid} ${value} ${password}`;
}

/** Commands whose password is the third token (`CMD <sid> <pw> …`). */
const PW_THIRD = new Set(["PASSWORD", "USSD", "USSDEXIT", "GSM", "CF"]);

/**
 * Hide the password token of a command made by this module, for logging.
 * Text that is not such a command is returned unchanged.
 */
export function maskCommand(text: string): string {
  const parts = text.split(" ");
  const cmd = parts[0];
  if (parts.length < 3 || !/^-?\d+$/.test(parts[1])) return text;
  if (cmd === "SMS" && parts.length >= 4) {
    parts[3] = "***";
    return parts.join(" ");
  }
  if (PW_THIRD.has(cmd)) {
    const nl = parts[2].endsWith("\n");
    parts[2] = nl ? "***\n" : "***";
    return parts.join(" ");
  }
  if (/^(get|set|svr)_[a-z_]+$/.test(cmd)) {
    const last = parts.length - 1;
    const nl = parts[last].endsWith("\n");
    parts[last] = nl ? "***\n" : "***";
    return parts.join(" ");
  }
  return text;
}
