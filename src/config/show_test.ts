import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { defaultConfig, parseConfigText } from "./load.ts";
import { showConfig } from "./show.ts";

Deno.test("--check's view masks secrets and reloads to the same settings", () => {
  const config = {
    ...defaultConfig(),
    DB_PASS: "hunter2",
    XMPP_COMPONENT_JID: "sms.example.org",
    XMPP_COMPONENT_SECRET: "c0mp",
    XMPP_DOMAIN: "example.org",
    GOIP_ALLOW_SOURCES: ["10.0.0.0/8"],
  };
  const text = showConfig(config);
  assert(!text.includes("hunter2") && !text.includes("c0mp"), text);
  assert(text.includes('DB_PASS = "***"'), text);
  assert(text.includes('XMPP_COMPONENT_SECRET = "***"'), text);
  assert(text.includes('GOIP_ALLOW_SOURCES = ["10.0.0.0/8"]'), text);
  assertEquals(parseConfigText(text), {
    ...config,
    DB_PASS: "***",
    XMPP_COMPONENT_SECRET: "***",
  });
  assert(showConfig(defaultConfig()).includes('DB_PASS = ""'));
});
