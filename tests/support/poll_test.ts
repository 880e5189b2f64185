import {
  deepStrictEqual as assertEquals,
  rejects as assertRejects,
} from "node:assert/strict";
import { waitFor } from "./poll.ts";

Deno.test("waitFor returns once the check holds, sync or async", async () => {
  let n = 0;
  await waitFor(() => ++n >= 3, 5_000, "third poll", 1);
  assertEquals(n, 3);
  let m = 0;
  await waitFor(() => Promise.resolve(++m >= 2), 5_000, "second poll", 1);
  assertEquals(m, 2);
});

Deno.test("waitFor names what was awaited when it times out", async () => {
  await assertRejects(
    waitFor(() => false, 0, "the moon", 1),
    /timed out after 0 ms waiting for the moon/,
  );
  let asked = 0;
  await assertRejects(
    waitFor(() => false, 0, () => `item #${++asked}`, 1),
    /waiting for item #1$/,
  );
});
