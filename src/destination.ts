/**
 * What an outgoing SMS or USSD may be addressed to: the shapes the GoIP
 * protocol can carry as one space-separated token, and a gateway's
 * `allow_regex`. One set of rules for the XMPP routing, the CLI and the
 * sender, so they can never disagree.
 *
 * @module
 */

/** A destination number: optional `+` and 3–20 digits. */
export const NUMBER_RE: RegExp = /^\+?[0-9]{3,20}$/;

/** At most this many UTF-8 bytes of SMS text (the GoIP's `MSG` limit). */
export const MAX_SMS_BYTES = 3000;

/** The longest USSD code accepted. */
export const MAX_USSD_LENGTH = 64;

/** A USSD code: digits, `*`, `#`, `+`, at most {@linkcode MAX_USSD_LENGTH}. */
export const USSD_CODE_RE: RegExp = new RegExp(
  `^[0-9*#+]{1,${MAX_USSD_LENGTH}}$`,
);

/**
 * Does `number` pass the gateway's `allow_regex`? Python `re.match`
 * semantics, as the original goippy: anchored at the start only; an empty
 * pattern allows everything; "invalid" when the pattern does not compile.
 */
export function allowRegexMatches(
  allowRegex: string,
  number: string,
): boolean | "invalid" {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${allowRegex || ".*"})`);
  } catch {
    return "invalid";
  }
  return re.test(number);
}
