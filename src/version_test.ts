import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { DIALECTS, VERSION } from "./version.ts";

Deno.test("VERSION matches deno.json and both dialects are listed", async () => {
  const deno = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  );
  assertEquals(VERSION, deno.version);
  assertEquals([...DIALECTS], ["sqlite", "mysql"]);
});
