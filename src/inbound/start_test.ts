import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { defaultConfig } from "../config/defaults.ts";
import { Hub, type HubEvents } from "../hub.ts";
import { createLogger } from "../log.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import type { Store } from "../store/types.ts";
import { type Inbound, startInbound } from "./start.ts";
import { lineStateFixture } from "../../tests/support/line_state.ts";

const ADDR = "127.0.0.1:9991";

interface T {
  store: Store;
  inbound: Inbound;
  sent: [string, string][];
  logs: string[];
  hub: Hub;
  events: string[];
  replies: HubEvents["reply"][];
}

async function withInbound(
  fn: (t: T) => Promise<void>,
  before: (store: Store) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-inbound-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  const logs: string[] = [];
  const sent: [string, string][] = [];
  const hub = new Hub();
  const events: string[] = [];
  const replies: HubEvents["reply"][] = [];
  hub.on("line", (e) => events.push(`line ${e.state.goipId} ${e.cameOnline}`));
  hub.on("inbox", () => events.push("inbox"));
  hub.on("reply", (r) => replies.push(r));
  let inbound: Inbound | undefined;
  const config = {
    ...defaultConfig(),
    XMPP_DOMAIN: "example.org",
    XMPP_COMPONENT_JID: "sms.example.org",
  };
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    await before(store);
    inbound = await startInbound({
      store,
      instanceId: "me",
      hub,
      config: () => config,
      log: createLogger({
        level: "debug",
        journald: false,
        write: (l) => logs.push(l),
      }),
      send: (addr, text) => {
        sent.push([addr, text]);
        return Promise.resolve();
      },
    });
    await fn({ store, inbound, sent, logs, hub, events, replies });
  } finally {
    await inbound?.stop();
    await store.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("inbound: keepalive answers and announces the line once", () =>
  withInbound(async ({ inbound, sent, events, store }) => {
    await inbound.handle("req:1;id:goippy_2001;pass:pw;num:+372555;", ADDR);
    await inbound.handle("req:2;id:goippy_2001;pass:pw;num:;", ADDR);
    await inbound.handle("req:3;id:goippy_2001;pass:pW;", ADDR);
    assertEquals(sent, [
      [ADDR, "reg:1;status:200;"],
      [ADDR, "reg:2;status:200;"],
      [ADDR, "reg:3;status:404;"],
    ]);
    assertEquals(events, ["line goippy_2001 true", "line goippy_2001 false"]);
    // An empty num keeps the number learned before.
    assertEquals((await store.lineState("goippy_2001"))?.msisdn, "+372555");
  }));

Deno.test("inbound: RECEIVE stored then acked; replies go to the hub; garbage is silent", () =>
  withInbound(async ({ inbound, sent, events, store, replies }) => {
    await inbound.handle(
      "RECEIVE:-5;id:goippy_2001;password:pw;srcnum:+1;msg:a;b:c\r\n",
      ADDR,
    );
    await inbound.drain();
    assertEquals(sent, [[ADDR, "RECEIVE -5 OK"]]);
    assertEquals(events, ["inbox"]);
    const [row] = await store.pendingInbox(10);
    assertEquals(
      [row.fromJid, row.toJid, row.body],
      ["+1@sms.example.org", "2001@example.org", "a;b:c"],
    );
    await inbound.handle("OK 5 7 32", ADDR);
    assertEquals(replies, [{
      addr: ADDR,
      reply: { type: "reply", kind: "ok", sendid: 5, telid: 7, smsNo: 32 },
    }]);
    await inbound.handle("\u0000garbage", ADDR);
    await inbound.handle("", ADDR);
    assertEquals(sent.length, 1);
  }));

Deno.test("inbound: no ack when the store cannot take the SMS", () =>
  withInbound(async ({ inbound, sent, store, logs }) => {
    await inbound.handle("req:1;id:goippy_2001;pass:pw;", ADDR);
    await store.close(); // every write now fails; the gateway is cached
    await inbound.handle(
      "RECEIVE:9;id:goippy_2001;password:pw;srcnum:+1;msg:x",
      ADDR,
    );
    await inbound.drain();
    assertEquals(sent, [[ADDR, "reg:1;status:200;"]]);
    assert(
      logs.some((l) => /not stored, not acknowledged/.test(l)),
      logs.join("\n"),
    );
  }));

Deno.test("inbound: two RECORDs for one call (no NTP) make one call row", () =>
  withInbound(async ({ inbound, sent, store }) => {
    const auth = "id:goippy_2001;password:pw";
    await inbound.handle(`RECORD:-3;${auth};dir:1;num:+5`, ADDR);
    await inbound.handle(`RECORD:-2;${auth};dir:1;num:+5`, ADDR);
    await inbound.handle(`HANGUP:-1;${auth};num:+5,cause:User busy`, ADDR);
    assertEquals(sent.map(([, t]) => t), [
      "RECORD -3 OK",
      "RECORD -2 OK",
      "HANGUP -1 OK",
    ]);
    const calls = await store.recentCalls(10);
    assertEquals(
      calls.map((c) => [c.remoteNum, c.cause, c.endedMs !== null]),
      [["+5", "User busy", true]],
    );
    const [note] = await store.pendingInbox(10);
    assertEquals(note.body, "Call from +5 ended: User busy");
  }));

Deno.test("inbound: after a restart, a line the store has online is not announced as new, before and after the line memory is read", async () => {
  for (const waitForWarmUp of [false, true]) {
    await withInbound(
      async ({ inbound, sent, events }) => {
        if (waitForWarmUp) await inbound.warmedUp();
        await inbound.handle("req:1;id:goippy_2001;pass:pw;num:+372555;", ADDR);
        assertEquals(sent, [[ADDR, "reg:1;status:200;"]]);
        assertEquals(
          events,
          ["line goippy_2001 false"],
          `warm: ${waitForWarmUp}`,
        );
      },
      (store) =>
        store.saveLineState({
          ...lineStateFixture({ goipId: "goippy_2001", ext: "2001" }),
          msisdn: "+372555",
          addr: ADDR,
          lastSeenMs: Date.now() - 1000,
          owner: "me",
        }),
    );
  }
});
