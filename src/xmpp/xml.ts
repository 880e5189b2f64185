/**
 * The little of `@xmpp/xml` (ltx) that goippy uses, typed. Every stanza is
 * built with {@linkcode xml} and read through {@linkcode XmlElement}.
 *
 * @module
 */

import { xml as ltxXml } from "@xmpp/component";

/** An XML element as ltx represents it. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  children: (XmlElement | string)[];
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string, xmlns?: string): XmlElement[];
  getChildText(name: string, xmlns?: string): string | null;
  getText(): string;
  is(name: string, xmlns?: string): boolean;
  toString(): string;
}

/** A child given to {@linkcode xml}: element, text, or nothing. */
export type XmlChild = XmlElement | string | null | undefined | false;

/** Build an element; `undefined` attributes are left out, falsy children skipped. */
export function xml(
  name: string,
  attrs: Record<string, string | undefined> = {},
  ...children: XmlChild[]
): XmlElement {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
  const kids = children.filter((c) =>
    c !== null && c !== undefined && c !== false
  );
  return ltxXml(name, clean, ...kids) as XmlElement;
}
