/**
 * XEP-0050 command replies and the XEP-0004 data forms they carry: pure
 * builders and the reading of a submitted form. Every goippy command has at
 * most one form: the request without a submitted form gets the form, the
 * submission gets the outcome.
 *
 * @module
 */

import { xml, type XmlElement } from "./xml.ts";

/** XEP-0050 ad-hoc commands. */
export const NS_COMMANDS = "http://jabber.org/protocol/commands";
/** XEP-0004 data forms. */
export const NS_DATA = "jabber:x:data";

/** One form field. */
export interface Field {
  var: string;
  label: string;
  type: "text-single" | "list-single" | "fixed";
  required?: boolean;
  value?: string;
  /** For list-single: [value, label]. */
  options?: [string, string][];
}

/** `<x type="form">` with a title, instructions and fields. */
export function dataForm(
  title: string,
  instructions: string,
  fields: Field[],
): XmlElement {
  return xml(
    "x",
    { xmlns: NS_DATA, type: "form" },
    xml("title", {}, title),
    xml("instructions", {}, instructions),
    ...fields.map((f) =>
      xml(
        "field",
        { var: f.var, label: f.label, type: f.type },
        f.required ? xml("required") : null,
        f.value !== undefined ? xml("value", {}, f.value) : null,
        ...(f.options ?? []).map(([value, label]) =>
          xml("option", { label }, xml("value", {}, value))
        ),
      )
    ),
  );
}

/** A command asking for its form (`executing`, with a Complete action). */
export function formReply(
  node: string,
  sessionid: string,
  form: XmlElement,
): XmlElement {
  return xml(
    "command",
    { xmlns: NS_COMMANDS, node, sessionid, status: "executing" },
    xml("actions", { execute: "complete" }, xml("complete")),
    form,
  );
}

/** A finished command with its outcome as a note. */
export function doneReply(
  node: string,
  sessionid: string,
  text: string,
  type: "info" | "error" = "info",
): XmlElement {
  return xml(
    "command",
    { xmlns: NS_COMMANDS, node, sessionid, status: "completed" },
    xml("note", { type }, text),
  );
}

/** The fields of a submitted form, or undefined when none was submitted. */
export function submitted(
  command: XmlElement,
): Record<string, string> | undefined {
  const x = command.getChild("x", NS_DATA);
  if (!x || x.attrs.type !== "submit") return undefined;
  const out: Record<string, string> = {};
  for (const f of x.getChildren("field")) {
    if (f.attrs.var) out[f.attrs.var] = f.getChildText("value")?.trim() ?? "";
  }
  return out;
}
