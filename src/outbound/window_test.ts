import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { AttemptWindow } from "./window.ts";

/** Flush pending promise callbacks. */
const settle = () => new Promise((r) => setTimeout(r, 0));

Deno.test("AttemptWindow: at most `size` slots held; a release hands its slot to the first waiter", async () => {
  const w = new AttemptWindow({ size: 2, holdMs: 60_000 });
  const got: string[] = [];
  const a = await w.acquire();
  const b = await w.acquire();
  const c = w.acquire().then((r) => (got.push("c"), r));
  const d = w.acquire().then((r) => (got.push("d"), r));
  await settle();
  assertEquals(got, []);
  a();
  a(); // a second release of the same slot frees nothing more
  await settle();
  assertEquals(got, ["c"]);
  b();
  await settle();
  assertEquals(got, ["c", "d"]);
  (await c)();
  (await d)();
  w.close();
});

Deno.test("AttemptWindow: a slot held past holdMs is freed for the next waiter", async () => {
  const w = new AttemptWindow({ size: 1, holdMs: 1 });
  await w.acquire(); // never released by its holder
  const next = await w.acquire();
  next();
  w.close();
});

Deno.test("AttemptWindow: close lets every waiter go", async () => {
  const w = new AttemptWindow({ size: 1, holdMs: 60_000 });
  await w.acquire();
  const waiters = [w.acquire(), w.acquire()];
  w.close();
  await Promise.all(waiters);
  await w.acquire();
});
