import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { normalizeNumber, parseContactCommand } from "./contact_commands.ts";

Deno.test("contact commands: what the user writes, what it means", () => {
  const table: [string, unknown][] = [
    ["name +3725551234 Mom", {
      verb: "name",
      number: "+3725551234",
      name: "Mom",
    }],
    ["Name 3725551234   Aunt  Mari 🌷 ", {
      verb: "name",
      number: "+3725551234",
      name: "Aunt Mari 🌷",
    }],
    ["name +3725551234", { verb: "name", number: "+3725551234", name: "" }],
    ["block BANK", { verb: "block", number: "BANK" }],
    ["unblock +3725551234", { verb: "unblock", number: "+3725551234" }],
    ["contacts", { verb: "contacts" }],
    ["name", {
      error:
        "Write: name +<number> <name> (or just name +<number> to clear it).",
    }],
    ["block +37 2", { error: "Write: block +<number>." }],
    ["block a@b", { error: "Write: block +<number>." }],
    [`name +3725551234 ${"x".repeat(65)}`, {
      error: "A name has at most 64 characters.",
    }],
    ["*100#", undefined],
    ["status", undefined],
    ["contacts please", undefined],
  ];
  for (const [text, want] of table) {
    assertEquals(parseContactCommand(text), want, text);
  }
});

Deno.test("contact numbers: digits get a +, sender names stay", () => {
  const table: [string, string][] = [
    ["3725551234", "+3725551234"],
    ["+3725551234", "+3725551234"],
    ["BANK", "BANK"],
  ];
  for (const [n, want] of table) assertEquals(normalizeNumber(n), want);
});
