/** /health: the verdicts while goippy waits for its database at start and once it runs. */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { deferredStore } from "../store/deferred.ts";
import { type HealthProbe, healthReport } from "./server.ts";

const WHY = "cannot open the mysql store: connect ECONNREFUSED 127.0.0.1:3306";

Deno.test("healthReport: waiting for the database at start is 503 with what it waits for", async (t) => {
  const cases: {
    name: string;
    probe: HealthProbe;
    body: Record<string, string | number>;
  }[] = [
    {
      name: "nothing spooled yet",
      probe: { udp: () => true, xmpp: () => "off", waitingFor: () => WHY },
      body: {
        store: "waiting",
        waiting_for: WHY,
        spooled: 0,
        udp: "ok",
        xmpp: "off",
      },
    },
    {
      name: "events spooled meanwhile",
      probe: {
        udp: () => true,
        xmpp: () => "off",
        spoolDepth: () => 3,
        waitingFor: () => WHY,
      },
      body: {
        store: "waiting",
        waiting_for: WHY,
        spooled: 3,
        udp: "ok",
        xmpp: "off",
      },
    },
    {
      name: "the UDP socket closed as well",
      probe: { udp: () => false, xmpp: () => "off", waitingFor: () => WHY },
      body: {
        store: "waiting",
        waiting_for: WHY,
        spooled: 0,
        udp: "closed",
        xmpp: "off",
      },
    },
  ];
  // The stand-in the daemon serves on while it waits: every call fails.
  const { store } = deferredStore("mysql");
  for (const c of cases) {
    await t.step(c.name, async () => {
      assertEquals(await healthReport(store, c.probe), {
        status: 503,
        body: c.body,
      });
    });
  }
});

Deno.test("healthReport: once running, the store away with events spooled is 200 spooling", async () => {
  const { store } = deferredStore("mysql");
  const r = await healthReport(store, {
    udp: () => true,
    xmpp: () => "disconnected",
    spoolDepth: () => 2,
    waitingFor: () => null,
  });
  assertEquals(r, {
    status: 200,
    body: { store: "spooling", udp: "ok", xmpp: "disconnected" },
  });
});
