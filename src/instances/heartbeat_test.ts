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
      heartbeat: () => Promise.resolve(),
      instanceStopped: () => new Promise(() => {}),
    },
    config,
    log,
  });
  await assertRejects(() => hb.stop(), /did not answer/);
});
