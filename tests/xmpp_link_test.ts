/**
 * The component connection against a real Prosody: queued deliveries survive
 * a server restart (in order, delay-stamped, none lost or doubled), the ping
 * watchdog drops a frozen server, a wrong secret is reported as such.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  assert,
  COMPONENT,
  connected,
  inboxChat,
  isMsg,
  settle,
  WAIT,
  world,
} from "./support/xmpp_world.ts";
import { waitFor } from "./support/poll.ts";

Deno.test(
  "xmpp: deliveries wait while Prosody is down and arrive after its restart, in order, stamped, none lost or doubled",
  async () => {
    await world(async (w) => {
      const x = w.xmpp();
      await connected(x);
      await w.server.pause();
      await waitFor(() => x.state() === "connecting", WAIT, "drop noticed");
      const before = Date.now();
      for (let i = 1; i <= 12; i++) await inboxChat(w, `queued ${i}`);
      assertEquals((await w.store.pendingInbox(100)).length, 12);
      await w.server.resume();
      await waitFor(() => x.state() === "connected", 30_000, "reconnected");
      await waitFor(
        async () => (await w.store.pendingInbox(100)).length === 0,
        WAIT,
        "inbox done",
      );
      // the user logs in afterwards: Prosody's offline storage hands them over
      const user = await w.user("2001");
      await waitFor(
        () => user.messages.filter(isMsg("chat")).length >= 12,
        WAIT,
        "12 messages",
      );
      await settle();
      const got = user.messages.filter(isMsg("chat"));
      assertEquals(
        got.map((m) => m.getChildText("body")),
        Array.from({ length: 12 }, (_, i) => `queued ${i + 1}`),
      );
      for (const m of got) {
        const stamps = m.getChildren("delay", "urn:xmpp:delay").filter((d) =>
          d.attrs.from === COMPONENT
        );
        assertEquals(stamps.length, 1);
        const t = Date.parse(stamps[0].attrs.stamp!);
        assert(
          t >= before - 1000 && t <= Date.now(),
          `stamp ${stamps[0].attrs.stamp}`,
        );
      }
      assert(
        w.logs.some((l) => /XMPP: connection to \S+ lost/.test(l)),
        "drop logged",
      );
    });
  },
);

Deno.test(
  "xmpp: the ping watchdog drops a frozen server; unconfirmed messages go out again, never lost",
  async () => {
    await world(async (w) => {
      const x = w.xmpp({
        pingIntervalMs: 1000,
        pingTimeoutMs: 1500,
        minDelayMs: 200,
        pollMs: 500,
      });
      await connected(x);
      w.server.signal("SIGSTOP");
      await inboxChat(w, "sent into a frozen server");
      await waitFor(
        () => w.logs.some((l) => l.includes("did not answer a ping")),
        WAIT,
        "watchdog",
      );
      await waitFor(() => x.state() === "connecting", WAIT, "link dropped");
      assertEquals((await w.store.pendingInbox(10)).length, 1);
      w.server.signal("SIGCONT");
      await waitFor(() => x.state() === "connected", 30_000, "reconnected");
      await waitFor(
        async () => (await w.store.pendingInbox(10)).length === 0,
        WAIT,
        "inbox done",
      );
      const user = await w.user("2001");
      const m = await user.waitForMessage(isMsg("chat"), WAIT);
      assertEquals(m.getChildText("body"), "sent into a frozen server");
      // at least once: every copy carries the same id, so clients can dedupe
      await settle();
      assertEquals(
        new Set(user.messages.filter(isMsg("chat")).map((s) => s.attrs.id))
          .size,
        1,
      );
    });
  },
);

Deno.test(
  "xmpp: a wrong component secret is logged as exactly that and retried slowly",
  async () => {
    await world(async (w) => {
      const x = w.xmpp();
      await waitFor(
        () => w.logs.some((l) => l.includes("component secret rejected by")),
        WAIT,
        "rejection",
      );
      const line = w.logs.find((l) =>
        l.includes("component secret rejected by")
      )!;
      assert(
        line.includes(
          `ERROR component secret rejected by 127.0.0.1:${w.config.XMPP_PORT}`,
        ),
        line,
      );
      assert(
        w.logs.some((l) =>
          l.includes("XMPP: reconnecting in") &&
          /in (4[89]|5\d|6\d|7[0-2])\.\d s/.test(l)
        ),
        w.logs.join("\n"),
      );
      assert(
        !w.logs.some((l) => l.includes("cannot connect")),
        "not a network error",
      );
      // the library's reconnect waits what goippy told it, not its own 1 s
      await settle(2500);
      assertEquals(
        w.logs.filter((l) => l.includes("component secret rejected by"))
          .length,
        1,
      );
      assertEquals(x.state(), "connecting");
    }, { secret: "wrong-secret" });
  },
);

Deno.test(
  "xmpp: no server at all is a network error, retried with backoff",
  async () => {
    await world(async (w) => {
      await w.server.pause();
      const x = w.xmpp();
      await waitFor(
        () => w.logs.filter((l) => l.includes("cannot connect")).length >= 2,
        WAIT,
        "2 attempts",
      );
      assert(w.logs.some((l) => l.includes("ECONNREFUSED")), w.logs.join("\n"));
      assertEquals(x.state(), "connecting");
      await w.server.resume();
      await waitFor(
        () => x.state() === "connected",
        30_000,
        "connected after the server came",
      );
    });
  },
);

Deno.test(
  "xmpp: stop does not hang on a frozen server with a batch in flight",
  async () => {
    await world(async (w) => {
      const x = w.xmpp();
      await connected(x);
      w.server.signal("SIGSTOP");
      await inboxChat(w, "in flight");
      await settle(300);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        x.stop().then(() => "stopped"),
        new Promise((r) => timer = setTimeout(() => r("hung"), 10_000)),
      ]);
      clearTimeout(timer);
      assertEquals(result, "stopped");
      assertEquals(x.state(), "off");
      // not confirmed, so still pending for the next start
      assertEquals((await w.store.pendingInbox(10)).length, 1);
    });
  },
);
