/**
 * How much each scenario does in a quick and in a full run.
 *
 * @module
 */

/** Sizes and durations of the scenarios. */
export interface Params {
  /** `passes`: rounds of one floor pass and one goippy pass. */
  keepalive: { channels: number; passes: number; window: number };
  receive: {
    sims: number;
    fixedRates: number[];
    fixedSeconds: number;
    steps: number[];
    stepSeconds: number;
    /** SQLite's long run (checkpoints happen during it). */
    sustained: { rate: number; seconds: number };
  };
  e2e: { rates: number[]; seconds: number };
  xmppToSms: { rate: number; count: number };
  /** `coldStart`: also time a cold start on the idle database. */
  idle: {
    lines: number;
    intervalS: number;
    warmS: number;
    windowS: number;
    coldStart: boolean;
  };
  /** `waitS`: how long the backlog may take before the rest counts as not sent. */
  fleet: { lines: number; perLine: number; waitS: number };
  /** The fleet's HTTP API phase: SMS/s offered, for how long. */
  fleetApi: { rate: number; seconds: number };
  cold: { samples: number };
}

/** The parameters of a `quick` (under 4 minutes) or `full` run. */
export function params(mode: "quick" | "full"): Params {
  if (mode === "quick") {
    return {
      keepalive: { channels: 2000, passes: 3, window: 64 },
      receive: {
        sims: 8,
        fixedRates: [500, 2000],
        fixedSeconds: 3,
        steps: [1000, 3000, 5000, 7000],
        stepSeconds: 2,
        sustained: { rate: 10_000, seconds: 6 },
      },
      e2e: { rates: [100, 1000], seconds: 2 },
      xmppToSms: { rate: 10, count: 30 },
      idle: {
        lines: 10_000,
        intervalS: 30,
        warmS: 3,
        windowS: 20,
        coldStart: false,
      },
      fleet: { lines: 1000, perLine: 2, waitS: 10 },
      fleetApi: { rate: 1000, seconds: 3 },
      cold: { samples: 3 },
    };
  }
  return {
    keepalive: { channels: 2000, passes: 7, window: 64 },
    receive: {
      sims: 8,
      fixedRates: [500, 2000],
      fixedSeconds: 10,
      steps: [1000, 2000, 3000, 4000, 5000, 6000, 8000, 10_000, 12_000],
      stepSeconds: 5,
      sustained: { rate: 10_000, seconds: 60 },
    },
    e2e: { rates: [100, 1000], seconds: 10 },
    xmppToSms: { rate: 10, count: 200 },
    idle: {
      lines: 100_000,
      intervalS: 30,
      warmS: 10,
      windowS: 60,
      coldStart: true,
    },
    fleet: { lines: 1000, perLine: 5, waitS: 60 },
    fleetApi: { rate: 1000, seconds: 10 },
    cold: { samples: 7 },
  };
}
