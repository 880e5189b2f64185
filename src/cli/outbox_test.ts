import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  rejects as assertRejects,
} from "node:assert/strict";
import { openSqliteStore } from "../store/sqlite.ts";
import type { OutboxUpdate, Store } from "../store/types.ts";
import { lineStateFixture } from "../../tests/support/line_state.ts";
import type { CliIo } from "./io.ts";
import { sendSms, sendUssd } from "./outbox.ts";

/** A real SQLite store in a temp dir with gateways 2001 (open) and 2002 (disabled, ACL). */
async function withStore(fn: (store: Store) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const store = openSqliteStore(`${dir}/t.sqlite3`);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "pw" });
    await store.addGateway({
      ext: "2002",
      goipPass: "pw",
      allowRegex: "^\\+372",
    });
    await fn(store);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function capture(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: (l) => lines.push(`out: ${l}`),
    err: (l) => lines.push(`err: ${l}`),
  };
}

/** Plays the daemon's sender: takes the queued row, then applies `finish`. */
async function actAsSender(store: Store, goipId: string, finish: OutboxUpdate) {
  for (let i = 0; i < 400; i++) {
    const item = await store.nextQueued(goipId);
    if (item) {
      await store.updateOutbox(item.id, { state: "sending", attempts: 1 });
      await store.updateOutbox(item.id, finish);
      return item;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("nothing was queued");
}

const WAIT = { timeoutMs: 10_000, pollMs: 20 };
const LIVE = { GOIP_OFFLINE_AFTER: 90 };

/** Line 2001 as the daemon writes it after a keepalive `agoMs` ago. */
function seen(store: Store, agoMs: number) {
  return store.saveLineState(
    lineStateFixture({ lastSeenMs: Date.now() - agoMs }),
  );
}

Deno.test("--send prints the outcome the daemon writes", async () => {
  await withStore(async (store) => {
    const cases: [OutboxUpdate, number, string][] = [
      [{ state: "sent", smsNo: 7 }, 0, "out: sent (sms_no 7)"],
      [{ state: "delivered", smsNo: 8 }, 0, "out: delivered"],
      [
        { state: "failed", error: "the GoIP said ERROR: no credit" },
        1,
        "err: goippy: SMS failed: the GoIP said ERROR: no credit",
      ],
      [
        { state: "expired" },
        1,
        "err: goippy: SMS expired: the line stayed offline",
      ],
      [
        { state: "uncertain" },
        1,
        "err: goippy: SMS outcome uncertain: the daemon stopped while sending",
      ],
    ];
    for (const [finish, code, line] of cases) {
      const io = capture();
      const [got, item] = await Promise.all([
        sendSms(store, ["2001", "+3725551234", "tere", "õhtust 👋"], io, WAIT),
        actAsSender(store, "goippy_2001", finish),
      ]);
      assertEquals([got, io.lines], [code, [line]]);
      assertEquals(
        [item.kind, item.number, item.body, item.origin, item.fromJid],
        ["sms", "+3725551234", "tere õhtust 👋", "cli", ""],
      );
    }
  });
});

Deno.test("--ussd prints the answer", async () => {
  await withStore(async (store) => {
    await seen(store, 1000);
    const io = capture();
    const [code, item] = await Promise.all([
      sendUssd(store, ["2001", "*100#"], io, WAIT, LIVE),
      actAsSender(store, "goippy_2001", {
        state: "sent",
        result: "Balance: 5.00 EUR",
      }),
    ]);
    assertEquals([code, io.lines], [0, ["out: Balance: 5.00 EUR"]]);
    assertEquals([item.kind, item.body, item.number], ["ussd", "*100#", ""]);
  });
});

Deno.test("--ussd for an offline line is refused at once and queues nothing", async () => {
  await withStore(async (store) => {
    const cases: [string, number | null, RegExp][] = [
      ["never heard", null, /line offline: the GoIP has not been heard from/],
      ["silent too long", 91_000, /line offline since \S+ \S+ UTC/],
    ];
    for (const [name, ago, text] of cases) {
      if (ago !== null) await seen(store, ago);
      const io = capture();
      const code = await sendUssd(store, ["2001", "*100#"], io, WAIT, LIVE);
      assertEquals([name, code, io.lines.length], [name, 1, 1]);
      assertMatch(io.lines[0], /^err: goippy: USSD not sent: /);
      assertMatch(io.lines[0], text);
      assertMatch(io.lines[0], /nothing was dialled/);
    }
    assertEquals((await store.queueDepths()).outboxQueued, 0);
  });
});

Deno.test("with no daemon --send times out with exit 2 and withdraws the request", async () => {
  await withStore(async (store) => {
    const io = capture();
    const code = await sendSms(store, ["2001", "+3725551234", "hi"], io, {
      timeoutMs: 200,
      pollMs: 20,
    });
    assertEquals(code, 2);
    assertMatch(io.lines.join("\n"), /no outcome within 0.2 s.*withdrawn/);
    assertEquals(await store.nextQueued("goippy_2001"), undefined);
    assertEquals((await store.queueDepths()).outboxQueued, 0);
  });
});

Deno.test("refused --send/--ussd queue nothing", async () => {
  await withStore(async (store) => {
    await store.setGatewayEnabled("2002", false);
    const table: [() => Promise<number>, RegExp][] = [
      [
        () => sendSms(store, ["9999", "+3725551", "x"], capture(), WAIT),
        /no gateway 9999/,
      ],
      [
        () => sendSms(store, ["2002", "+3725551", "x"], capture(), WAIT),
        /gateway 2002 is disabled/,
      ],
      [
        () => sendSms(store, ["2001", "55-51", "x"], capture(), WAIT),
        /not a phone number/,
      ],
      [
        () => sendSms(store, ["2001", "+3725551", " "], capture(), WAIT),
        /text must not be empty/,
      ],
      [
        () => sendUssd(store, ["2001", "hello"], capture(), WAIT, LIVE),
        /not a USSD code/,
      ],
      [
        () => sendUssd(store, ["bad ext", "*100#"], capture(), WAIT, LIVE),
        /not allowed/,
      ],
    ];
    for (const [fn, message] of table) {
      await assertRejects(fn, (e: Error) => {
        assertMatch(e.message, message);
        return true;
      });
    }
    await store.setGatewayEnabled("2002", true);
    await assertRejects(
      () => sendSms(store, ["2002", "+4912345", "x"], capture(), WAIT),
      /\+4912345 is not allowed for gateway 2002 \(allow_regex \^\\\+372\)/,
    );
    // Anchored at the start like the XMPP side (Python re.match): a pattern
    // without "^" still does not match in the middle of a number.
    await store.addGateway({
      ext: "2003",
      goipPass: "pw",
      allowRegex: "372",
    });
    await assertRejects(
      () => sendSms(store, ["2003", "+49372555", "x"], capture(), WAIT),
      /\+49372555 is not allowed for gateway 2003/,
    );
    assertEquals((await store.queueDepths()).outboxQueued, 0);
    assertEquals(await store.linesWithQueued(), []);
  });
});

Deno.test("beforeWrite runs after the checks and, when it throws, nothing is queued", async () => {
  await withStore(async (store) => {
    const calls: string[] = [];
    const refuse = {
      ...WAIT,
      beforeWrite: () => {
        calls.push("asked");
        return Promise.reject(new Error("no goippy daemon is running"));
      },
    };
    await assertRejects(
      () => sendSms(store, ["9999", "+3725551", "x"], capture(), refuse),
      /no gateway 9999/,
    );
    assertEquals(calls, [], "bad arguments are told first");
    await assertRejects(
      () => sendSms(store, ["2001", "+3725551", "x"], capture(), refuse),
      /no goippy daemon/,
    );
    await assertRejects(
      () =>
        sendUssd(store, ["2001", "*100#"], capture(), refuse, {
          GOIP_OFFLINE_AFTER: 90,
        }),
      /no goippy daemon/,
    );
    assertEquals(calls, ["asked", "asked"]);
    assertEquals(await store.outboxItem(1), undefined);
  });
});

Deno.test("--send over a send limit exits 1 with the limit and queues nothing", async () => {
  await withStore(async (store) => {
    const limits = {
      SEND_INTERVAL: 0,
      SEND_JITTER: 0,
      SEND_LIMIT_HOUR: 0,
      SEND_LIMIT_DAY: 0,
      SEND_LIMIT_RECIPIENTS_MONTH: 1,
    };
    // One recipient already waiting this month: a second one is over.
    const first = await store.enqueueOutbox({
      ext: "2001",
      goipId: "goippy_2001",
      kind: "sms",
      number: "+3725550001",
      body: "one",
      fromJid: "",
      toJid: "",
      stanzaId: "",
      wantReceipt: false,
      origin: "cli",
    });
    const io = capture();
    assertEquals(
      await sendSms(store, ["2001", "+3725550002", "two"], io, WAIT, limits),
      1,
    );
    assertMatch(
      io.lines.join("\n"),
      /^err: goippy: Not sent: line 2001 reached its limit of 1 distinct recipients per month \(UTC\) \(1 used\); the limit resets at \d{4}-\d\d-01 00:00 UTC\.$/,
    );
    assertEquals((await store.nextQueued("goippy_2001"))?.id, first);
    // The gateway's own setting wins over the config's.
    await store.setGatewayLimits("2001", { recipients: 0 });
    const sender = (async () => {
      await actAsSender(store, "goippy_2001", { state: "sent" });
      await actAsSender(store, "goippy_2001", { state: "sent" });
    })();
    assertEquals(
      await sendSms(
        store,
        ["2001", "+3725550002", "two"],
        capture(),
        WAIT,
        limits,
      ),
      0,
    );
    await sender;
  });
});
