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
