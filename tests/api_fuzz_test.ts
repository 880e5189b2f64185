/**
 * 10,000 random request bodies (fixed seed) to `POST /api/v1/sms` of a live
 * daemon, with random Idempotency-Keys, plus random ids and query strings:
 * every answer is a JSON 4xx, nothing is queued, and the daemon still
 * serves a valid request afterwards.
 *
 * The line exists and is enabled but its allow_regex admits no number, so a
 * body that happens to be valid is refused (403) instead of queued, after
 * passing every other check.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { startDaemon } from "./support/daemon.ts";
import { seededRandom } from "./support/goip_sim/prng.ts";
import { fuzzBody } from "./support/fuzz_json.ts";
import { freeTcpPort } from "./support/ports.ts";

const TOTAL = 10_000;
const WORKERS = 8;

Deno.test("10,000 random API requests: only JSON 4xx, nothing queued, daemon alive", async () => {
  const apiPort = freeTcpPort();
  const d = await startDaemon({
    config: { API_BIND: `127.0.0.1:${apiPort}`, API_RATE_PER_MIN: 1_000_000 },
    gateways: [{ ext: "2001", password: "pw1", allowRegex: "(?!)" }],
  });
  try {
    const r = await d.cli(["--token-add", "fuzz"]);
    assertEquals(r.code, 0, r.stderr);
    const token = r.stdout.trim();
    const base = `http://127.0.0.1:${apiPort}`;
    const random = seededRandom(13);
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    let next = 0;
    const one = async (i: number) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
      };
      if (random() < 0.3) {
        headers["idempotency-key"] = random() < 0.5
          ? `k${i}`
          : "x".repeat(Math.floor(random() * 300));
      }
      let res: Response;
      const roll = random();
      if (roll < 0.9) {
        res = await fetch(`${base}/api/v1/sms`, {
          method: "POST",
          headers,
          body: fuzzBody(random) as BodyInit,
        });
      } else if (roll < 0.95) {
        const id = encodeURIComponent(
          String(fuzzBody(random)).slice(0, 30).toWellFormed(),
        );
        res = await fetch(`${base}/api/v1/sms/${id || "x"}`, { headers });
      } else {
        const q = new URLSearchParams({
          limit: String(Math.floor(random() * 2000) - 500),
          since: String(fuzzBody(random)).slice(0, 20),
          after: String(Math.floor(random() * 1e18)),
        });
        res = await fetch(`${base}/api/v1/messages?${q}`, { headers });
      }
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const is4xx = res.status >= 400 && res.status < 500;
      const getOk = res.status === 200 && roll >= 0.95;
      if (!is4xx && !getOk) bad.push(`${res.status} ${text.slice(0, 200)}`);
      if (is4xx) {
        const json = JSON.parse(text);
        if (
          typeof json.error !== "string" || typeof json.message !== "string"
        ) {
          bad.push(`not a JSON error: ${text.slice(0, 200)}`);
        }
      }
    };
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (next < TOTAL) await one(next++);
      }),
    );
    console.log(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    assertEquals(bad.slice(0, 5), []);
    const store = await d.openStore();
    try {
      const depths = await store.queueDepths();
      assertEquals([depths.outboxQueued, depths.outboxSending], [0, 0]);
    } finally {
      await store.close();
    }
    // alive, and still serving
    const lines = await fetch(`${base}/api/v1/lines`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assertEquals(lines.status, 200);
    assert((await lines.json()).lines.length === 1);
    assert(!/uncaught|unhandled/i.test(d.logs()), "no crash in the log");
  } catch (err) {
    console.error(d.logs().slice(-5000));
    throw err;
  } finally {
    await d.stop();
  }
});
