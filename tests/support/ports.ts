/**
 * Free loopback ports for the servers the tests start.
 *
 * Ports come from below the kernel's ephemeral range (32768 and up on
 * Linux): a client that reconnects to a closed port inside that range can be
 * given that very port as its own source port and TCP self-connect on
 * loopback, then hold the port so the server can never bind it again. Below
 * the range the kernel never picks a source port, so that cannot happen.
 *
 * Test files run in parallel in separate isolates, which share no memory, so
 * a port handed out is also reserved on disk (an exclusive directory entry)
 * until it is stale: two isolates never get the same port while their
 * servers start.
 *
 * @module
 */

/** The first port handed out (above the well-known and most registered services). */
export const TEST_PORT_MIN = 20_000;
/** One past the last port handed out: the kernel's ephemeral range starts here. */
export const TEST_PORT_END = 32_768;

const RESERVATIONS = "/tmp/goippy-test-ports";
/** A reservation older than this is free again (a run takes minutes). */
const STALE_MS = 20 * 60_000;

/** A TCP port on 127.0.0.1 below the ephemeral range, free a moment ago. */
export function freeTcpPort(): number {
  return reservePort((port) => {
    const l = Deno.listen({ hostname: "127.0.0.1", port });
    l.close();
  });
}

/** A UDP port on 127.0.0.1 below the ephemeral range, free a moment ago. */
export function freeUdpPort(): number {
  return reservePort((port) => {
    const s = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port,
    });
    s.close();
  });
}

function reservePort(probe: (port: number) => void): number {
  Deno.mkdirSync(RESERVATIONS, { recursive: true });
  const span = TEST_PORT_END - TEST_PORT_MIN;
  for (let tries = 0; tries < 2_000; tries++) {
    const port = TEST_PORT_MIN + Math.floor(Math.random() * span);
    if (!reserve(port)) continue;
    try {
      probe(port);
      return port;
    } catch (err) {
      if (!(err instanceof Deno.errors.AddrInUse)) throw err;
    }
  }
  throw new Error(
    `no free loopback port in ${TEST_PORT_MIN}-${TEST_PORT_END - 1}`,
  );
}

/** Take `port` for this run unless another test holds a fresh reservation. */
function reserve(port: number): boolean {
  const entry = `${RESERVATIONS}/${port}`;
  try {
    Deno.mkdirSync(entry);
    return true;
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  }
  const taken = Deno.statSync(entry).mtime?.getTime() ?? 0;
  if (Date.now() - taken < STALE_MS) return false;
  // Stale: renew it. Two isolates renewing at once both may pass here, but
  // the bind probe that follows still keeps them from sharing a live server.
  const now = new Date();
  Deno.utimeSync(entry, now, now);
  return true;
}
