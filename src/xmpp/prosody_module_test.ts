import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { PROSODY_MODULE } from "./prosody_module.ts";

Deno.test("PROSODY_MODULE is byte-identical to install/mod_sms_alias.lua", async () => {
  const file = await Deno.readTextFile(
    new URL("../../install/mod_sms_alias.lua", import.meta.url),
  );
  assertEquals(PROSODY_MODULE, file);
});

Deno.test("PROSODY_MODULE names its option, default and hooks", () => {
  assert(PROSODY_MODULE.includes('"sms_alias_component"'));
  assert(PROSODY_MODULE.includes('"data." .. module.host'));
  for (
    const hook of ["pre-message/host", "pre-message/bare", "pre-message/full"]
  ) {
    assert(PROSODY_MODULE.includes(`"${hook}"`), hook);
  }
  assert(PROSODY_MODULE.endsWith("\n"));
});
