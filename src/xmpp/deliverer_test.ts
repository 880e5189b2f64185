import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { InboxItem } from "../store/types.ts";
import { needsDelay } from "./deliverer.ts";

const item = (createdMs: number) => ({ createdMs } as InboxItem);

Deno.test("deliverer: which rows carry a delay stamp", () => {
  const now = 1_000_000;
  const cases: [string, number, number, boolean][] = [
    ["fresh, same connection", now - 100, now - 60_000, false],
    ["exactly 2 s", now - 2000, now - 60_000, false],
    ["waited 2.1 s", now - 2100, now - 60_000, true],
    ["made before this connection", now - 100, now - 50, true],
    ["old and before", now - 600_000, now - 50, true],
  ];
  for (const [name, created, since, want] of cases) {
    assertEquals(
      `${name}: ${needsDelay(item(created), now, since)}`,
      `${name}: ${want}`,
    );
  }
});
