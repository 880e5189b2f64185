import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultConfig } from "./defaults.ts";
import { applyLive } from "./live.ts";

Deno.test("applyLive: live keys are taken, restart-only keys keep running", () => {
  const running = { ...defaultConfig(), XMPP_DOMAIN: "old.example" };
  const next = {
    ...running,
    XMPP_DOMAIN: "new.example",
    GOIP_OFFLINE_AFTER: 30,
    GOIP_ALLOW_SOURCES: ["10.0.0.0/8"],
    SMS_SEND_MODE: "msg" as const,
  };
  const inForce = applyLive(running, next);
  assertEquals(inForce.XMPP_DOMAIN, "old.example");
  assertEquals(inForce.GOIP_OFFLINE_AFTER, 30);
  assertEquals(inForce.GOIP_ALLOW_SOURCES, ["10.0.0.0/8"]);
  assertEquals(inForce.SMS_SEND_MODE, "msg");
  assertEquals(applyLive(running, running), running);
});
