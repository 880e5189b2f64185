import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { GroupCommit } from "./group_commit.ts";

/** A group commit doubling numbers, recording each batch and single. */
function doubling(
  opts: { failBatch?: (n: number[]) => boolean; max?: number },
) {
  const batches: number[][] = [];
  const singles: number[] = [];
  const g = new GroupCommit<number, number>({
    batch: (reqs) => {
      batches.push(reqs);
      if (opts.failBatch?.(reqs)) return Promise.reject(new Error("batch"));
      return Promise.resolve(reqs.map((n) => n * 2));
    },
    single: (n) => {
      singles.push(n);
      if (n < 0) return Promise.reject(new Error(`bad ${n}`));
      return Promise.resolve(n * 2);
    },
    maxBatch: opts.max,
  });
  return { g, batches, singles };
}

Deno.test("GroupCommit: requests of one turn go in one batch, each gets its own result", async () => {
  const { g, batches, singles } = doubling({});
  const out = await Promise.all([1, 2, 3].map((n) => g.submit(n)));
  assertEquals(out, [2, 4, 6]);
  assertEquals(batches, [[1, 2, 3]]);
  assertEquals(singles, []);
});

Deno.test("GroupCommit: a request made after a batch committed goes in the next batch", async () => {
  const { g, batches } = doubling({});
  const first = g.submit(1);
  await Promise.resolve();
  const later = Promise.all([first.then(() => g.submit(2)), g.submit(3)]);
  assertEquals(await later, [4, 6]);
  assertEquals(batches, [[1, 3], [2]]);
});

Deno.test("GroupCommit: at most maxBatch per batch, in order", async () => {
  const { g, batches } = doubling({ max: 2 });
  const out = await Promise.all([1, 2, 3, 4, 5].map((n) => g.submit(n)));
  assertEquals(out, [2, 4, 6, 8, 10]);
  assertEquals(batches, [[1, 2], [3, 4], [5]]);
});

Deno.test("GroupCommit: a failed batch is written one by one; only the bad one fails", async () => {
  const { g, singles } = doubling({ failBatch: (b) => b.length > 1 });
  const out = await Promise.allSettled([1, -1, 3].map((n) => g.submit(n)));
  assertEquals(out.map((o) => o.status), [
    "fulfilled",
    "rejected",
    "fulfilled",
  ]);
  assertEquals(
    out.map((o) => o.status === "fulfilled" ? o.value : String(o.reason)),
    [2, "Error: bad -1", 6],
  );
  assertEquals(singles, [1, -1, 3]);
});

Deno.test("GroupCommit: a failed batch of one rejects with its error", async () => {
  const { g, singles } = doubling({ failBatch: () => true });
  const out = await Promise.allSettled([g.submit(7)]);
  assertEquals(out.map((o) => o.status), ["rejected"]);
  assertEquals(singles, []);
});
