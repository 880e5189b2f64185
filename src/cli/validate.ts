/**
 * Checks of what an admin types: extensions, passwords, ACL regexes, phone
 * numbers, USSD codes. Pure; each returns a refusal text or the clean value.
 *
 * @module
 */

import type { NewGateway } from "../store/types.ts";
import { NUMBER_RE, USSD_CODE_RE } from "../destination.ts";
import { UsageError } from "./args.ts";

const EXT = /^[A-Za-z0-9_.-]{1,32}$/;

/** Throws unless `ext` is 1–32 of `A-Z a-z 0-9 _ . -`. */
export function checkExt(ext: string): string {
  if (!EXT.test(ext)) {
    throw new UsageError(
      `extension "${ext}" is not allowed: use 1-32 letters, digits, "_", "." or "-"`,
    );
  }
  return ext;
}

/** Throws unless the GoIP password is 1–64 printable characters without spaces or ";". */
export function checkPassword(pass: string): string {
  if (pass === "") throw new UsageError("the password must not be empty");
  // deno-lint-ignore no-control-regex
  if (/[\s;\x00-\x1f\x7f]/.test(pass)) {
    throw new UsageError(
      'the password must not contain spaces, control characters or ";" (the GoIP protocol cannot carry them)',
    );
  }
  if (pass.length > 64) {
    throw new UsageError("the password must be at most 64 characters");
  }
  return pass;
}

/** Throws unless `re` compiles as a JavaScript regular expression (≤ 255 chars). */
export function checkRegex(re: string): string {
  if (re === "") throw new UsageError("allow_regex must not be empty (use .*)");
  if (re.length > 255) {
    throw new UsageError("allow_regex must be at most 255 characters");
  }
  try {
    new RegExp(re);
  } catch (err) {
    // Shown as typed (JSON would double every backslash), and without the
    // engine's own copy of it in "Invalid regular expression: /…/: why".
    const why = (err as Error).message.replace(
      /^Invalid regular expression: \/[\s\S]*\/[a-z]*: /,
      "",
    );
    throw new UsageError(`allow_regex '${re}' does not compile: ${why}`);
  }
  return re;
}

/** Throws unless `number` looks like a phone number (`+` and 3–20 digits). */
export function checkNumber(number: string): string {
  if (!NUMBER_RE.test(number)) {
    throw new UsageError(
      `"${number}" is not a phone number: use an optional "+" and 3-20 digits`,
    );
  }
  return number;
}

/** Throws unless `code` is a USSD code such as `*100#`. */
export function checkUssd(code: string): string {
  if (!USSD_CODE_RE.test(code)) {
    throw new UsageError(
      `"${code}" is not a USSD code: use digits, "*", "#" and "+", e.g. *100#`,
    );
  }
  return code;
}

/**
 * The arguments of `--add`: `<ext> <pass> [allow_regex]` or the original
 * `<ext> <pass> <channel|-> [allow_regex]` (with three arguments the third
 * counts as a channel when it is `-` or a number of up to 3 digits).
 */
export function parseAddArgs(args: string[]): NewGateway {
  const [ext, pass, third, fourth] = args;
  checkExt(ext);
  checkPassword(pass);
  let channel: number | null = null;
  let regex = ".*";
  const isChannel = (s: string) => s === "-" || /^\d{1,3}$/.test(s);
  if (args.length === 4) {
    if (!isChannel(third)) {
      throw new UsageError(
        `the channel must be "-" or a number, not "${third}"`,
      );
    }
    channel = third === "-" ? null : Number(third);
    regex = fourth;
  } else if (args.length === 3) {
    if (isChannel(third)) channel = third === "-" ? null : Number(third);
    else regex = third;
  }
  checkRegex(regex);
  return { ext, goipPass: pass, allowRegex: regex, channel };
}
