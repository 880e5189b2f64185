/**
 * `.ci/totals` turns the real `deno test` output into CI's plain totals line
 * "N passed, M failed", then "K ignored" in Deno's word.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";

const TOTALS = new URL("../.ci/totals", import.meta.url).pathname;

Deno.test(".ci/totals reads deno test's own summary", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/three_test.ts`,
      [
        'Deno.test("passes", () => {});',
        'Deno.test({ name: "ignored", ignore: true, fn() {} });',
        'Deno.test("fails", () => { throw new Error("no"); });',
      ].join("\n"),
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--no-config", `${dir}/three_test.ts`],
      env: { FORCE_COLOR: "1" }, // CI logs carry colours; they are stripped
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new Uint8Array([...run.stdout, ...run.stderr]);
    const totals = new Deno.Command("bash", {
      args: [TOTALS],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const w = totals.stdin.getWriter();
    await w.write(log);
    await w.close();
    const out = await totals.output();
    assertEquals(
      new TextDecoder().decode(out.stdout),
      "1 passed, 1 failed\n1 ignored\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
