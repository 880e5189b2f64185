import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Hub } from "../hub.ts";
import { createLogger } from "../log.ts";
import type { LineState } from "../store/types.ts";
import { LineWatch } from "./line_watch.ts";

function state(goipId: string, lastSeenMs: number): LineState {
  return {
    goipId,
    ext: goipId.replace("goippy_", ""),
    msisdn: "",
    addr: "127.0.0.1:9991",
    lastSeenMs,
    signal: null,
    gsmStatus: "",
    voipStatus: "",
    voipState: "",
    remainTime: null,
    provider: "",
    disableStatus: null,
    imei: "",
    imsi: "",
    iccid: "",
  };
}

Deno.test("LineWatch: online once, offline once after the limit, back online", () => {
  const hub = new Hub();
  const offline: string[] = [];
  hub.on("lineOffline", (e) => offline.push(`${e.goipId}/${e.ext}`));
  let now = 0;
  const w = new LineWatch({
    hub,
    log: createLogger({ level: "error", journald: false, write: () => {} }),
    config: () => ({ GOIP_OFFLINE_AFTER: 90 }),
    now: () => now,
  });
  assertEquals(w.seen(state("goippy_1", now)), true);
  now = 30_000;
  assertEquals(w.seen(state("goippy_1", now)), false);
  now = 120_000;
  w.check();
  assertEquals(offline, []);
  now = 120_001;
  w.check();
  w.check();
  assertEquals(offline, ["goippy_1/1"]);
  assertEquals(w.seen(state("goippy_1", now)), true);
  assertEquals(w.update("goippy_1", { remainTime: 5 })?.remainTime, 5);
  assertEquals(w.get("goippy_1")?.remainTime, 5);
  assertEquals(w.update("goippy_x", { remainTime: 5 }), undefined);
});

Deno.test("LineWatch: a keepalive after a silence may follow keepalives sent elsewhere", () => {
  const w = new LineWatch({
    hub: new Hub(),
    log: createLogger({ level: "error", journald: false, write: () => {} }),
    config: () => ({ GOIP_OFFLINE_AFTER: 90 }),
  });
  const cases: [number, boolean][] = [
    [0, true], // never seen
    [30_000, true], // no interval known yet
    [60_000, false], // one interval (30 s) later
    [104_000, false], // 44 s: within 1.5 intervals
  ];
  // Each row: the keepalive's time, whether one may have been missed
  // before it (judged before it is recorded).
  for (const [at, want] of cases) {
    assertEquals(w.missedKeepalives("goippy_1", at, "A"), want, `at ${at}`);
    w.seen(state("goippy_1", at));
  }
  // The last interval was 44 s: 66 s is the limit.
  assertEquals(w.missedKeepalives("goippy_1", 104_000 + 66_000, "A"), false);
  assertEquals(w.missedKeepalives("goippy_1", 104_000 + 66_001, "A"), true);
});

Deno.test("LineWatch: a line learned from the store under another owner has no interval yet", () => {
  const w = new LineWatch({
    hub: new Hub(),
    log: createLogger({ level: "error", journald: false, write: () => {} }),
    config: () => ({ GOIP_OFFLINE_AFTER: 90 }),
  });
  // Instance B learns the line as A last wrote it (A's keepalive at 1 s),
  // then answers the GoIP at 2 s itself.
  w.seedOne({ ...state("goippy_1", 1_000), owner: "A" });
  assertEquals(w.missedKeepalives("goippy_1", 2_000, "B"), true);
  w.seen({ ...state("goippy_1", 2_000), owner: "B" });
  // 1 s between A's keepalive and B's is not B's cadence: the next one is
  // still judged as possibly following keepalives that went to A.
  assertEquals(w.missedKeepalives("goippy_1", 3_400, "B"), true);
  w.seen({ ...state("goippy_1", 3_400), owner: "B" });
  assertEquals(w.missedKeepalives("goippy_1", 4_800, "B"), false);

  // Its own line after a restart: the stored time was its own keepalive.
  w.seedOne({ ...state("goippy_2", 1_000), owner: "B" });
  assertEquals(w.missedKeepalives("goippy_2", 2_000, "B"), false);
  w.seen({ ...state("goippy_2", 2_000), owner: "B" });
  assertEquals(w.missedKeepalives("goippy_2", 3_400, "B"), false);
});
