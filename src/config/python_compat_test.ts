import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { pythonToToml } from "./python_compat.ts";

Deno.test("Python literals in value position become TOML, nothing else changes", () => {
  const table: [string, string][] = [
    ["A = True", "A = true"],
    ["A = False  # off", "A = false  # off"],
    ["A=True\nB=False", "A=true\nB=false"],
    ["A = None", "# A = None"],
    ["  A = None   # unset", "#   A = None   # unset"],
    ["A = 'True'", "A = 'True'"],
    ['A = "False \\" True"', 'A = "False \\" True"'],
    ["A = '''True\nFalse'''", "A = '''True\nFalse'''"],
    ['A = """x\nTrue"""\nB = True', 'A = """x\nTrue"""\nB = true'],
    ["# A = True", "# A = True"],
    ["A = 1 # True", "A = 1 # True"],
    ["True = 1", "True = 1"],
    ["A = [True, False]", "A = [true, false]"],
    ["A = Truex", "A = Truex"],
    ["A = 'it''s' # True", "A = 'it''s' # True"],
    ["A = 'x\nB = True", "A = 'x\nB = true"],
    ["A = true", "A = true"],
    ["", ""],
  ];
  for (const [input, want] of table) {
    assertEquals(pythonToToml(input), want, input);
  }
});

Deno.test("line numbers survive the translation", () => {
  const text = "A = True\r\nB = None\r\nC = False\r\n";
  assertEquals(pythonToToml(text).split("\n").length, text.split("\n").length);
});
