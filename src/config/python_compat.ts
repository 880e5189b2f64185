/**
 * Lets the original Python goippy's config (`LOG_TO_STDOUT = True`) load as
 * TOML: the Python literals `True`/`False` in value position become `true`/
 * `false`, and a `KEY = None` line is dropped (the key keeps its default).
 * Text inside strings and comments is never touched; line numbers are kept.
 *
 * @module
 */

const NONE_LINE = /^(\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*)None(\s*(#.*)?)$/;
const PY_WORDS: Record<string, string> = { True: "true", False: "false" };

/** Translate Python literals in value position into TOML; pure. */
export function pythonToToml(text: string): string {
  const lines = text.split("\n").map((l) =>
    NONE_LINE.test(l.replace(/\r$/, "")) ? `# ${l}` : l
  );
  const src = lines.join("\n");
  const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
  let out = "";
  let quote = ""; // the delimiter of the string we are in: ' " ''' """
  let afterEquals = false;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (quote) {
      if (quote === '"' || quote === '"""') {
        if (c === "\\") {
          out += src.slice(i, i + 2);
          i += 2;
          continue;
        }
      }
      if (src.startsWith(quote, i)) {
        out += quote;
        i += quote.length;
        quote = "";
        continue;
      }
      if (c === "\n" && quote.length === 1) quote = ""; // unterminated: TOML reports it
      out += c;
      i++;
      continue;
    }
    if (c === "#") {
      const end = src.indexOf("\n", i);
      const stop = end < 0 ? src.length : end;
      out += src.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "\n") afterEquals = false;
    if (c === "=") afterEquals = true;
    if (c === '"' || c === "'") {
      quote = src.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      out += quote;
      i += quote.length;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(src);
    if (word) {
      const w = word[0];
      out += afterEquals && w in PY_WORDS ? PY_WORDS[w] : w;
      i += w.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
