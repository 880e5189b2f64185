/**
 * A bare Deno UDP echo server: every datagram goes straight back to its
 * sender. The benchmark's runtime floor (what Deno costs without goippy), so
 * a send is not awaited before the next receive and one buffer serves every
 * receive: the fastest the runtime goes.
 *
 * @module
 */

/** A running echo server. */
export interface UdpEcho {
  /** The UDP port it listens on. */
  readonly port: number;
  /** Datagrams echoed so far. */
  readonly count: number;
  /** Close the socket and wait for the loop to end. */
  stop(): Promise<void>;
}

/** Start an echo server on `hostname` (default 127.0.0.1) and `port` (default: free). */
export function startUdpEcho(
  opts: { hostname?: string; port?: number } = {},
): Promise<UdpEcho> {
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: opts.hostname ?? "127.0.0.1",
    port: opts.port ?? 0,
  });
  let count = 0;
  let stopped = false;
  const loop = (async () => {
    // One receive buffer, as goippy's endpoint has: the iterator's fresh
    // 64 KiB buffer per datagram would be a cost goippy does not pay.
    const buf = new Uint8Array(65_536);
    try {
      for (;;) {
        const [data, from] = await conn.receive(buf);
        // A copy: the buffer is reused before the send completes.
        conn.send(data.slice(), from).then(
          () => count++,
          // A peer that went away: keep echoing for the others.
          () => {},
        );
      }
    } catch {
      // The socket was closed by stop().
    }
  })();
  return Promise.resolve({
    port: (conn.addr as Deno.NetAddr).port,
    get count() {
      return count;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      conn.close();
      await loop;
    },
  });
}
