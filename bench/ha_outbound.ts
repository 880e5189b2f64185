/**
 * The outbound half of `--only ha`: SMS handed to the GoIP lines per second
 * with the lines split between the running daemons, and the failover time
 * of a line (SIGKILL of its daemon → first SMS out through the other).
 *
 * @module
 */

import type { Store } from "../src/store/types.ts";
import type { DaemonHandle } from "../tests/support/daemon.ts";
import { GoipSim } from "../tests/support/goip_sim/mod.ts";

/** A GoIP line the daemons know. */
export interface BenchLine {
  ext: string;
  password: string;
}

/** The GoIP's keepalive cadence during a failover (a real GoIP's is longer). */
export const FAILOVER_KEEPALIVE_MS = 1000;

function simFor(
  line: BenchLine,
  d: DaemonHandle,
  counterStart: number,
): Promise<GoipSim> {
  return GoipSim.start({
    server: { hostname: "127.0.0.1", port: d.udpPort },
    id: `goippy_${line.ext}`,
    password: line.password,
    num: `+37255${line.ext}`,
    counterStart,
    retransmitMs: 1000,
  });
}

function queue(store: Store, line: BenchLine, body: string): Promise<number> {
  return store.enqueueOutbox({
    ext: line.ext,
    goipId: `goippy_${line.ext}`,
    kind: "sms",
    number: "+3725553001",
    body,
    fromJid: "",
    toJid: "",
    stanzaId: "",
    wantReceipt: false,
    origin: "cli",
  });
}

/**
 * SMS/s: line i's keepalives go to `targets[i % n]` (which takes the line),
 * `perLine` SMS per line are queued on that daemon's node (one writer per
 * line, so rows keep their order); the time runs from the first row queued
 * until every row is `sent` (the GoIP's `OK` came back: a simulator closed
 * before that would leave its daemon waiting for the confirmation). Throws
 * if one is missing after `waitS`.
 */
export async function outboundRate(
  targets: { daemon: DaemonHandle; store: Store }[],
  lines: BenchLine[],
  perLine: number,
  round: number,
  waitS = 120,
): Promise<number> {
  const sims = await Promise.all(
    lines.map((l, i) =>
      simFor(l, targets[i % targets.length].daemon, round * 100_000)
    ),
  );
  try {
    for (const s of sims) await s.keepalive();
    const t0 = Date.now();
    await Promise.all(lines.map(async (l, i) => {
      const { store } = targets[i % targets.length];
      for (let k = 0; k < perLine; k++) {
        await queue(store, l, `out ${round} ${l.ext} ${k}`);
      }
    }));
    const total = lines.length * perLine;
    const handed = () => sims.reduce((a, s) => a + s.sentSms.length, 0);
    const open = async () => {
      const d = await targets[0].store.queueDepths();
      return d.outboxQueued + d.outboxSending;
    };
    const end = Date.now() + waitS * 1000;
    while ((handed() < total || await open() > 0) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const s = (Date.now() - t0) / 1000;
    if (handed() !== total || await open() > 0) {
      throw new Error(`ha outbound: ${handed()} of ${total} SMS handed`);
    }
    return Math.round(total / s);
  } finally {
    for (const s of sims) await s.close();
  }
}

/**
 * ms from SIGKILL of `victim` (the line's owner) to the first SMS out
 * through `survivor`: from the kill on, the GoIP's keepalives reach the
 * survivor every {@linkcode FAILOVER_KEEPALIVE_MS} (the first at once, as
 * a virtual IP moved instantly would give) and one SMS is queued on the
 * survivor's node.
 */
export async function lineFailover(
  victim: DaemonHandle,
  survivor: { daemon: DaemonHandle; store: Store },
  line: BenchLine,
): Promise<number> {
  const toVictim = await simFor(line, victim, 900_000);
  const toSurvivor = await simFor(line, survivor.daemon, 950_000);
  let beating = true;
  let beats: Promise<void> = Promise.resolve();
  try {
    await toVictim.keepalive();
    await victim.kill();
    const t0 = Date.now();
    beats = (async () => {
      while (beating) {
        await toSurvivor.keepaliveTry();
        await new Promise((r) => setTimeout(r, FAILOVER_KEEPALIVE_MS));
      }
    })();
    await queue(survivor.store, line, "after failover");
    const end = t0 + 60_000;
    while (!toSurvivor.sentSms.length && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const first = toSurvivor.sentSms[0];
    if (!first) throw new Error("ha outbound: no SMS after the failover");
    return first.at - t0;
  } finally {
    beating = false;
    await beats;
    await toVictim.close();
    await toSurvivor.close();
  }
}
