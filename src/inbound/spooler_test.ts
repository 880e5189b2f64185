import {
  deepStrictEqual as assertEquals,
  ok,
  rejects,
} from "node:assert/strict";
import { createLogger } from "../log.ts";
import { SpoolFile, type SpoolRecord } from "../spool/spool_file.ts";
import { NotPersistedError, Spooler } from "./spooler.ts";

/** A spooler over a real spool file; `store` decides how writes go. */
async function withSpooler(
  fn: (w: {
    spooler: Spooler;
    file: SpoolFile;
    logs: string[];
    store: { up: boolean; replayed: string[] };
  }) => Promise<void>,
  opts: { maxBytes?: number; seed?: string[] } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-spooler-" });
  const path = `${dir}/spool.sqlite3`;
  if (opts.seed) {
    const f = new SpoolFile(path, {});
    for (const body of opts.seed) f.append(rec(body));
    f.close();
  }
  const file = new SpoolFile(path, { maxBytes: opts.maxBytes });
  const logs: string[] = [];
  const store = { up: true, replayed: [] as string[] };
  const spooler = new Spooler({
    file,
    log: createLogger({
      level: "debug",
      journald: true,
      write: (l) => logs.push(l),
    }),
    boundMs: 200,
    retryMs: 5,
    probe: () =>
      store.up ? Promise.resolve() : Promise.reject(new Error("store away")),
    replay: (rs: SpoolRecord[]) => {
      if (!store.up) return Promise.reject(new Error("store away"));
      if (JSON.parse(rs[0].packet).body === "bad") {
        return Promise.reject(new Error("cannot store this one"));
      }
      // Two at a time, as a replay of a run of RECEIVEs would.
      const end = rs.findIndex((r) => JSON.parse(r.packet).body === "bad");
      const moved = rs.slice(0, Math.min(2, end < 0 ? 2 : end));
      for (const r of moved) store.replayed.push(JSON.parse(r.packet).body);
      return Promise.resolve(moved.map(() => "stored" as const));
    },
  });
  try {
    await fn({ spooler, file, logs, store });
  } finally {
    await spooler.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

function rec(body: string) {
  return {
    atMs: 1,
    goipId: "goippy_1",
    packet: JSON.stringify({ body }),
    text: "",
  };
}

async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setTimeout(r, 10));
}

const failing = () => Promise.reject(new Error("connection refused"));
const hanging = () => new Promise<never>(() => {});

Deno.test("Spooler: a store that answers gets the event, nothing is spooled", () =>
  withSpooler(async ({ spooler, file }) => {
    const r = await spooler.persist(() => rec("a"), () => Promise.resolve(7));
    assertEquals(r, { how: "stored", value: 7 });
    assertEquals(file.depth(), 0);
  }));

Deno.test("Spooler: a failing or silent store spools; later events queue behind; replay in order when it is back", () =>
  withSpooler(async ({ spooler, file, logs, store }) => {
    store.up = false;
    assertEquals(
      (await spooler.persist(() => rec("a"), failing)).how,
      "spooled",
    );
    ok(logs.some((l) => /spooling them to/.test(l)), logs.join("\n"));
    let wrote = false;
    const later = () => {
      wrote = true;
      return Promise.resolve(1);
    };
    // While anything is spooled the store is not tried: order is kept.
    assertEquals((await spooler.persist(() => rec("b"), later)).how, "spooled");
    assertEquals(wrote, false);
    assertEquals(file.depth(), 2);
    assertEquals(spooler.spooling(), true);
    store.up = true;
    await until(() => file.depth() === 0);
    assertEquals(store.replayed, ["a", "b"]);
    await until(() => logs.some((l) => /replay done: 2 events/.test(l)));
    assertEquals(spooler.spooling(), false);
    // A store that does not answer within the bound: spooled as well.
    assertEquals(
      (await spooler.persist(() => rec("c"), hanging)).how,
      "spooled",
    );
    await until(() => file.depth() === 0);
    assertEquals(store.replayed, ["a", "b", "c"]);
  }));

Deno.test("Spooler: a full spool takes nothing more and says so loudly", () =>
  withSpooler(async ({ spooler, file, logs, store }) => {
    store.up = false;
    const big = "x".repeat(2000);
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      try {
        await spooler.persist(() => rec(big + i), failing);
      } catch (err) {
        ok(err instanceof NotPersistedError);
        refused++;
      }
    }
    ok(refused > 0, "some refused");
    ok(file.depth() < 40);
    ok(logs.some((l) => /SPOOL FULL/.test(l)), logs.join("\n"));
  }, { maxBytes: 32 * 1024 }));

Deno.test("Spooler: without a spool file a store error is the caller's", async () => {
  const s = new Spooler({
    file: null,
    log: createLogger({ level: "error", journald: true, write: () => {} }),
    probe: () => Promise.resolve(),
    replay: () => Promise.resolve(["stored"]),
  });
  await rejects(s.persist(() => rec("a"), failing), /connection refused/);
  await s.stop();
});

Deno.test("Spooler: events left by an earlier run are replayed at start", () =>
  withSpooler(async ({ spooler, file, store, logs }) => {
    spooler.start();
    await until(() => file.depth() === 0);
    assertEquals(store.replayed, ["x", "y"]);
    ok(logs.some((l) => /2 events left/.test(l)), logs.join("\n"));
  }, { seed: ["x", "y"] }));

Deno.test("Spooler: an event the store keeps refusing is set aside, the others move on", () =>
  withSpooler(async ({ spooler, file, store, logs }) => {
    spooler.start();
    await until(() => file.depth() === 0);
    assertEquals(store.replayed, ["a", "b", "c"]);
    assertEquals(file.setAside(), 1);
    ok(
      logs.some((l) => /failed 20 replays, set aside/.test(l)),
      logs.join("\n"),
    );
    assertEquals(spooler.spooling(), false);
  }, { seed: ["a", "bad", "b", "c"] }));
