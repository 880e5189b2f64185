import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { AlertMachine, AUTH_REPEAT_MS } from "./machine.ts";

const MIN = 60_000;

Deno.test("line alerts: flapping shorter than the hold says nothing", () => {
  const m = new AlertMachine();
  const steps: [string, number, unknown][] = [];
  for (let i = 0; i < 5; i++) {
    const t = i * 3 * MIN;
    m.lineOffline("g1", "2001", t);
    steps.push(["due", t + MIN, m.dueOffline(t + MIN, 2 * MIN)]);
    steps.push(["back", t + 1.5 * MIN, m.lineOnline("g1", t + 1.5 * MIN)]);
  }
  assertEquals(steps.filter(([, , v]) => Array.isArray(v) ? v.length : v), []);
});

Deno.test("line alerts: one offline alert after the hold, one back alert", () => {
  const m = new AlertMachine();
  m.lineOffline("g1", "2001", 0);
  m.lineOffline("g1", "2001", MIN); // a repeat keeps the first time
  assertEquals(m.dueOffline(MIN, 2 * MIN), []);
  assertEquals(m.dueOffline(2 * MIN, 2 * MIN), [
    { goipId: "g1", ext: "2001", sinceMs: 0 },
  ]);
  assertEquals(m.dueOffline(10 * MIN, 2 * MIN), []);
  assertEquals(m.lineOnline("g1", 12 * MIN), 12 * MIN);
  assertEquals(m.lineOnline("g1", 13 * MIN), undefined);
  assertEquals(m.lineOnline("never-offline", 13 * MIN), undefined);
});

Deno.test("auth alerts: once per source per hour", () => {
  const m = new AlertMachine();
  const table: [string, number, boolean][] = [
    ["10.0.0.9", 0, true],
    ["10.0.0.9", MIN, false],
    ["10.0.0.8", MIN, true],
    ["10.0.0.9", AUTH_REPEAT_MS - 1, false],
    ["10.0.0.9", AUTH_REPEAT_MS, true],
  ];
  for (const [ip, t, want] of table) {
    assertEquals(m.authBlocked(ip, t), want, `${ip} at ${t}`);
  }
});

Deno.test("stuck alerts: once per stuck item; a new oldest item may alert again", () => {
  const m = new AlertMachine();
  const at = (itemId: number, waitedMs: number) =>
    new Map([["g1", { itemId, waitedMs }]]);
  assertEquals(m.stuck(at(7, 10 * MIN), 15 * MIN), []);
  assertEquals(m.stuck(at(7, 16 * MIN), 15 * MIN), ["g1"]);
  assertEquals(m.stuck(at(7, 30 * MIN), 15 * MIN), []);
  assertEquals(m.stuck(at(8, 20 * MIN), 15 * MIN), ["g1"]);
  assertEquals(m.stuck(new Map(), 15 * MIN), []);
  assertEquals(m.stuck(at(8, 21 * MIN), 15 * MIN), ["g1"]);
});
