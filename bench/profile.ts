/**
 * CPU profiles of the daemon through the V8 inspector (Chrome DevTools
 * Protocol over WebSocket): start the sampler before a scenario, stop it
 * after, save the `.cpuprofile` and summarise self time per function.
 *
 * @module
 */

import type { BenchDaemon } from "./daemon_proc.ts";

/** A node of a V8 `.cpuprofile`. */
export interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
  };
  hitCount?: number;
}

/** A V8 CPU profile (the parts used here). */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** Self time of one function. */
export interface Hotspot {
  /** `name (file:line)`; runtime entries like `(program)`, `(idle)` as is. */
  where: string;
  /** Share of all samples (0…1). */
  share: number;
}

/** Shorten a module URL: the repo-relative path, or the npm package path. */
export function shortUrl(url: string): string {
  if (!url) return "";
  const npm = /\/node_modules\/(?:\.deno\/[^/]+\/node_modules\/)?(.+)$/.exec(
    url,
  );
  if (npm) return `npm:${npm[1]}`;
  const repo = /\/(src|bench|tests|scripts)\/(.+)$/.exec(url);
  if (repo) return `${repo[1]}/${repo[2]}`;
  return url.replace(/^file:\/\//, "");
}

/** Self-time shares per function, largest first, at most `top`. Pure. */
export function hotspots(profile: CpuProfile, top = 15): Hotspot[] {
  const hits = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const h = n.hitCount ?? 0;
    if (h === 0) continue;
    const f = n.callFrame;
    const name = f.functionName || "(anonymous)";
    const url = shortUrl(f.url);
    const key = url ? `${name} (${url}:${f.lineNumber + 1})` : name;
    hits.set(key, (hits.get(key) ?? 0) + h);
    total += h;
  }
  return [...hits.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, h]) => ({ where, share: total > 0 ? h / total : 0 }));
}

/** A minimal CDP client: `call(method, params)` → result. */
async function cdp(url: string) {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`inspector: cannot connect to ${url}`));
  });
  let seq = 0;
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data));
    if (typeof m.id === "number") waiting.get(m.id)?.(m);
  };
  return {
    call(method: string, params: Record<string, unknown> = {}) {
      const id = ++seq;
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        waiting.set(id, (m) => {
          waiting.delete(id);
          if (m.error) {
            reject(new Error(`${method}: ${JSON.stringify(m.error)}`));
          } else resolve(m.result as Record<string, unknown>);
        });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        ws.onclose = () => resolve();
        ws.close();
      });
    },
  };
}

/**
 * A scenario hook that CPU-profiles the daemon while the scenario runs,
 * writing `<dir>/<name>.cpuprofile` and `<dir>/<name>.txt` (top functions).
 */
export function profiler(
  dir: string,
  progress: (line: string) => void,
): <T>(name: string, d: BenchDaemon, run: () => Promise<T>) => Promise<T> {
  return async <T>(name: string, d: BenchDaemon, run: () => Promise<T>) => {
    const client = await cdp(await d.inspectorUrl());
    try {
      await client.call("Profiler.enable");
      await client.call("Profiler.setSamplingInterval", { interval: 200 });
      await client.call("Profiler.start");
      const result = await run();
      const { profile } = await client.call("Profiler.stop") as {
        profile: CpuProfile;
      };
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(
        `${dir}/${name}.cpuprofile`,
        JSON.stringify(profile),
      );
      const top = hotspots(profile, 25)
        .map((h) => `${(h.share * 100).toFixed(1).padStart(5)} %  ${h.where}`)
        .join("\n");
      await Deno.writeTextFile(`${dir}/${name}.txt`, top + "\n");
      progress(`profile ${name}:\n${top.split("\n").slice(0, 12).join("\n")}`);
      return result;
    } finally {
      await client.close();
    }
  };
}
