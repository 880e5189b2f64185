/**
 * CPU time and resident memory of a process from Linux `/proc`: pure parsers
 * plus a reader.
 *
 * @module
 */

/** CPU ticks and memory of one process at one moment. */
export interface ProcSample {
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** VmRSS in kB (null when absent, e.g. a zombie). */
  rssKb: number | null;
  /** `performance.now()` when read. */
  atMs: number;
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux we run on). */
export const CLK_TCK = 100;

/**
 * utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line. The command
 * name in parentheses may hold spaces and parentheses, so fields are counted
 * after the last `)`. Throws on a malformed line.
 */
export function parseStatCpuTicks(stat: string): number {
  const close = stat.lastIndexOf(")");
  if (close < 0) throw new Error("malformed /proc stat: no ')'");
  // After ")": field 3 (state) is index 0, so utime (14) is index 11.
  const rest = stat.slice(close + 1).trim().split(/\s+/);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error("malformed /proc stat: no utime/stime");
  }
  return utime + stime;
}

/** VmRSS in kB from `/proc/<pid>/status`, or null when the line is missing. */
export function parseStatusRssKb(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) : null;
}

/**
 * Share of one core used between two samples (0.05 = 5 %); null when no
 * time passed.
 */
export function cpuShare(
  a: ProcSample,
  b: ProcSample,
  clkTck = CLK_TCK,
): number | null {
  const wallS = (b.atMs - a.atMs) / 1000;
  if (!(wallS > 0)) return null;
  return (b.cpuTicks - a.cpuTicks) / clkTck / wallS;
}

/** Read CPU ticks and RSS of `pid` now. */
export async function readProc(pid: number): Promise<ProcSample> {
  const [stat, status] = await Promise.all([
    Deno.readTextFile(`/proc/${pid}/stat`),
    Deno.readTextFile(`/proc/${pid}/status`),
  ]);
  return {
    cpuTicks: parseStatCpuTicks(stat),
    rssKb: parseStatusRssKb(status),
    atMs: performance.now(),
  };
}

/**
 * Datagrams the kernel dropped on the UDP socket bound to `port` (the last
 * column of `/proc/net/udp`, full receive buffer); null when no such socket.
 */
export function parseUdpDrops(procNetUdp: string, port: number): number | null {
  const want = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of procNetUdp.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const local = f[1].split(":");
    if (local[1]?.toUpperCase() === want) return Number(f[f.length - 1]);
  }
  return null;
}

/** The host's UDP `RcvbufErrors` from `/proc/net/snmp` (null when absent). */
export function parseRcvbufErrors(snmp: string): number | null {
  const lines = snmp.split("\n").filter((l) => l.startsWith("Udp: "));
  if (lines.length < 2) return null;
  const keys = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/);
  const i = keys.indexOf("RcvbufErrors");
  return i < 0 ? null : Number(values[i]);
}

/** Kernel drops: on goippy's socket at `port`, and host-wide. */
export async function readUdpDrops(
  port: number,
): Promise<{ port: number | null; host: number | null }> {
  const [udp, snmp] = await Promise.all([
    Deno.readTextFile("/proc/net/udp"),
    Deno.readTextFile("/proc/net/snmp"),
  ]);
  return { port: parseUdpDrops(udp, port), host: parseRcvbufErrors(snmp) };
}
