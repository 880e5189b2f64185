import {
  deepStrictEqual as assertEquals,
  rejects as assertRejects,
} from "node:assert/strict";
import { createLogger } from "../log.ts";
import type { Instance } from "../store/types.ts";
import { startHeartbeat } from "./heartbeat.ts";

const config = {
  INSTANCE_ID: "east",
  GOIP_UDP_PORT: 44444,
  INSTANCE_DEAD_AFTER: 15,
};
const log = createLogger({ level: "error", journald: false, write: () => {} });

Deno.test("the heartbeat writes its row at once and marks it stopped", async () => {
  const beats: Omit<Instance, "stoppedMs">[] = [];
  const stopped: string[] = [];
  const hb = await startHeartbeat({
    store: {
      instances: () => Promise.resolve([]),
      heartbeat: (i) => Promise.resolve(void beats.push(i)),
      instanceStopped: (id) => Promise.resolve(void stopped.push(id)),
    },
    config,
    log,
  });
  assertEquals(beats.map((b) => [b.instanceId, b.pid]), [["east", Deno.pid]]);
  await hb.stop();
  assertEquals(stopped, ["east"]);
});

Deno.test("a database that does not answer does not hold up the stop", async () => {
  const hb = await startHeartbeat({
    store: {
      instances: () => Promise.resolve([]),
      heartbeat: () => Promise.resolve(),
      instanceStopped: () => new Promise(() => {}),
    },
    config,
    log,
  });
  await assertRejects(() => hb.stop(), /did not answer/);
});

Deno.test("an id alive on another host is refused; on this host it is a restart", async () => {
  const row = (host: string, ageMs: number): Instance => ({
    instanceId: "east",
    host,
    pid: 99,
    version: "0.1.0",
    startedMs: Date.now() - 60_000,
    heartbeatMs: Date.now() - ageMs,
    stoppedMs: null,
  });
  const start = (rows: Instance[]) =>
    startHeartbeat({
      store: {
        instances: () => Promise.resolve(rows),
        heartbeat: () => Promise.resolve(),
        instanceStopped: () => Promise.resolve(),
      },
      config,
      log,
    });
  await assertRejects(
    () => start([row("other-box", 1000)]),
    /instance id east is in use by a running goippy on host other-box \(pid 99\); give each daemon its own INSTANCE_ID/,
  );
  await (await start([row(Deno.hostname(), 1000)])).stop();
  await (await start([row("other-box", 60_000)])).stop();
});
