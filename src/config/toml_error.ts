/**
 * smol-toml's parse errors told in the config's terms: an unterminated
 * string is "not closed", a key set twice names both lines.
 *
 * @module
 */

import type { TomlError } from "smol-toml";

/** The parser's complaint about `line` as one sentence (without the line prefix). */
export function explainTomlError(err: TomlError, text: string): string {
  const lines = text.split("\n");
  const first = err.message.replace(/^Invalid TOML document: /, "")
    .split("\n")[0];
  const line = lines[err.line - 1] ?? "";
  if (
    first === "unfinished string" ||
    (first === "control characters are not allowed in strings" &&
      err.column > line.replace(/\r$/, "").length)
  ) {
    return "the string is not closed: add the closing quote at the end " +
      "of the value (a string cannot run over the line's end)";
  }
  if (first === "control characters are not allowed in strings") {
    const ch = line.codePointAt(err.column - 1) ?? 0;
    return `a control character (U+${
      ch.toString(16).toUpperCase().padStart(4, "0")
    }) is inside the string: remove it, or write it as an escape such as \\t`;
  }
  if (first === "trying to redefine an already defined table or value") {
    const key = keyAt(line);
    const before = key
      ? lines.slice(0, err.line - 1).findIndex((l) => keyAt(l) === key)
      : -1;
    if (before >= 0) {
      return `set twice, on lines ${before + 1} and ${err.line}; keep one`;
    }
    return "this key is set a second time; keep one";
  }
  return first;
}

/** The (first part of the) key a `KEY = value` line assigns, unquoted. */
function keyAt(line: string): string {
  return /^\s*["']?([A-Za-z0-9_-]+)["']?\s*[.=]/.exec(line)?.[1] ?? "";
}
