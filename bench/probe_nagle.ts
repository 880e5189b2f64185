/**
 * `deno run -A bench/probe_nagle.ts`: shows why goippy's inbox deliverer
 * waits ~40 ms per batch. A component writes a `<message>` and then a
 * `<ping>` (as the deliverer does) and times the ping's answer, three ways:
 * message to an unknown user (Prosody answers at once with an error, which
 * carries the TCP ACK), message to an online user (Prosody sends nothing
 * back, so its delayed ACK holds the ping behind Nagle's algorithm for
 * ~40 ms), and the same with `setNoDelay(true)` on the component's socket.
 *
 * @module
 */

import { xml } from "../src/xmpp/xml.ts";
import { createComponent } from "../src/xmpp/xmppjs.ts";
import { startProsody } from "../tests/support/prosody.ts";
import { connectUser } from "../tests/support/xmpp_user.ts";
import { median } from "./stats.ts";

const x = await startProsody({
  domain: "example.org",
  componentJid: "sms.example.org",
  componentSecret: "s",
  users: [{ user: "u", password: "pw" }],
});
const u = await connectUser({
  port: x.c2sPort,
  domain: "example.org",
  user: "u",
  password: "pw",
});
try {
  const cases = [
    [false, "nobody@example.org"],
    [false, "u@example.org"],
    [true, "u@example.org"],
  ] as const;
  for (const [noDelay, to] of cases) {
    const c = createComponent({
      service: `xmpp://127.0.0.1:${x.componentPort}`,
      domain: "sms.example.org",
      password: "s",
    });
    c.reconnect.stop();
    c.on("error", () => {});
    await c.start();
    if (noDelay) c.socket?.setNoDelay(true);
    const rtts: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await c.send(
        xml(
          "message",
          { to, from: "a@sms.example.org", type: "chat" },
          xml("body", {}, "x"),
        ),
      );
      await c.iqCaller.request(
        xml("iq", {
          type: "get",
          from: "sms.example.org",
          to: "example.org",
        }, xml("ping", { xmlns: "urn:xmpp:ping" })),
      );
      rtts.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(
      `message to ${to}, noDelay ${noDelay}: ping answered after ` +
        `${median(rtts)?.toFixed(1)} ms (median of ${rtts.length})`,
    );
    await c.stop();
  }
} finally {
  await u.stop();
  await x.stop();
}
