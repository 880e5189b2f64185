/**
 * Parse one XML element from text with xmpp.js's own parser, for tests that
 * keep real stanzas as text (`src/xmpp/testdata/client_stanzas.json`).
 *
 * @module
 */

import { xml as xmlModule } from "@xmpp/component";
import type { XmlElement } from "../../src/xmpp/xml.ts";

interface ParserLike {
  on(event: string, fn: (arg: never) => void): void;
  write(text: string): void;
}
type ParserClass = new () => ParserLike;

/** The first child element of `<r>…</r>` built from `text`; throws on bad XML. */
export function parseXml(text: string): XmlElement {
  const parser = new (xmlModule as unknown as { Parser: ParserClass }).Parser();
  let found: XmlElement | undefined;
  let failure: unknown;
  parser.on("element", (el: XmlElement) => {
    found ??= el;
  });
  parser.on("error", (err: unknown) => {
    failure = err;
  });
  parser.write(`<r>${text}</r>`);
  if (failure) throw failure;
  if (!found) throw new Error(`no element in ${text.slice(0, 60)}`);
  // detach from the wrapper so it can be sent as a stanza of its own
  (found as unknown as { parent: unknown }).parent = null;
  return found;
}
