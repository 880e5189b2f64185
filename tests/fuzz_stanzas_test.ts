/**
 * Hostile stanzas from a real XMPP user (real Prosody, real daemon, an
 * online simulated GoIP line): each is refused with an error stanza and
 * nothing reaches the device — no SMS, no USSD, no session packet. A valid
 * SMS at the end proves the line was listening all along.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  COMPONENT,
  errorText,
  LINE_NUM,
  startRig,
} from "./support/fault_rig.ts";
import { xml } from "./support/xmpp_user.ts";

/** Datagrams that would make the module send something. */
const DEVICE_WORK = /^(SMS|MSG|SEND|PASSWORD|USSD|USSDEXIT|DONE) /;

const own = `${LINE_NUM}@${COMPONENT}`;
const huge = "x".repeat(3001);

/** [what, to, body]: each must come back as an error stanza. */
const HOSTILE: [string, string, string][] = [
  ["empty body", `+3725551234@${COMPONENT}`, ""],
  ["blank body", `+3725551234@${COMPONENT}`, " \n\t "],
  ["huge body (3001 bytes)", `+3725551234@${COMPONENT}`, huge],
  [
    "huge UTF-8 body (1001 × 3 bytes)",
    `+3725551234@${COMPONENT}`,
    "€".repeat(1001),
  ],
  ["not a number", `foo@${COMPONENT}`, "hi"],
  ["escaped space in the number", `+12\\2034@${COMPONENT}`, "hi"],
  ["number with a token after it", `+123\\20SMS@${COMPONENT}`, "hi"],
  ["too short a number", `+12@${COMPONENT}`, "hi"],
  ["too long a number", `+${"1".repeat(21)}@${COMPONENT}`, "hi"],
  ["number with letters", `+372555abc@${COMPONENT}`, "hi"],
  ["USSD with a space and a token", own, "*100# 1234"],
  ["USSD with a newline and a command", own, "*100#\nUSSD 1 pw *101#"],
  ["USSD with a carriage return inside", own, "*100\r#"],
  ["USSD with a tab and a token", own, "*100#\t*101#"],
  ["USSD letters", own, "*100#abc"],
  ["USSD too long", own, `*${"1".repeat(200)}#`],
  ["huge own-line body", own, huge],
];

Deno.test("hostile stanzas: each refused with an error stanza, nothing reaches the device", async () => {
  const rig = await startRig();
  try {
    const { sim } = rig;
    const user = rig.user!;
    assertEquals(await sim.keepalive(), "reg:1;status:200;");
    const refused: string[] = [];
    for (const [what, to, body] of HOSTILE) {
      const id = await user.sendMessage(to, body);
      const err = await user.waitForMessage(
        (m) => m.attrs.id === id && m.attrs.type === "error",
        15_000,
      ).catch(() => null);
      ok(err, `${what}: no error stanza`);
      refused.push(`${what}: ${errorText(err!).slice(0, 60)}`);
    }
    // A JID with a raw newline: the server or goippy must refuse it.
    const nl = await user.sendMessage(`+123\nUSSD@${COMPONENT}`, "hi");
    const nlErr = await user.waitForMessage(
      (m) => m.attrs.id === nl && m.attrs.type === "error",
      15_000,
    ).catch(() => null);
    ok(nlErr, "newline in the JID: no error stanza");
    // A message without any body (chat state): ignored, never an SMS.
    await user.send(
      xml(
        "message",
        { to: `+3725551234@${COMPONENT}`, type: "chat", id: "nobody" },
        xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" }),
      ),
    );
    // Headline/groupchat types are not SMS either.
    await user.sendMessage(`+3725551234@${COMPONENT}`, "hi", {
      type: "headline",
    });

    // The control: a valid SMS with a newline and tokens in its text goes
    // out once, as exactly one SMS with exactly that text.
    const text = "hi\nSMS 1 2 pw +1 injected; USSD 1 pw *101#";
    await user.sendMessage(`+3725551234@${COMPONENT}`, text);
    await sim.waitForSms(1, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(sim.sentSms.map((s) => [s.number, s.text]), [[
      "+3725551234",
      text,
    ]]);
    assertEquals(sim.ussdRequests, []);
    const work = sim.received.filter((d) => DEVICE_WORK.test(d));
    assertEquals(work.length, 1, work.join("\n"));
    assertEquals(sim.violations, []);
    ok(!/uncaught|unhandled/i.test(rig.daemon.logs()));
    console.log(
      `refused ${refused.length + 1} hostile stanzas:\n` + refused.join("\n"),
    );
  } finally {
    await rig.close();
  }
});
