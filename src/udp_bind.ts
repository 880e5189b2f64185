/**
 * Why the GoIP UDP address cannot be bound, in words with the fix (for
 * `--check` and the daemon's start).
 *
 * @module
 */

/** `GoIP UDP <host>:<port> <why and fix>` for a failed bind. */
export function explainUdpBindError(
  err: unknown,
  hostname: string,
  port: number,
): string {
  const why = err instanceof Deno.errors.AddrInUse
    ? "is already in use (another goippy?): stop the other program or set GOIP_UDP_PORT"
    : err instanceof Deno.errors.AddrNotAvailable
    ? "is not an address of this machine: set GOIP_UDP_BIND"
    : err instanceof Deno.errors.PermissionDenied
    ? "may not be bound by this user (ports below 1024 need root or " +
      "CAP_NET_BIND_SERVICE): set GOIP_UDP_PORT"
    : `cannot be bound: ${
      (err as Error).message
    }; set GOIP_UDP_BIND/GOIP_UDP_PORT`;
  return `GoIP UDP ${hostname}:${port} ${why}`;
}

/** Bind the address and let it go again; the reason when that fails, else null. */
export function udpBindProblem(hostname: string, port: number): string | null {
  try {
    Deno.listenDatagram({ hostname, port, transport: "udp" }).close();
    return null;
  } catch (err) {
    return explainUdpBindError(err, hostname, port);
  }
}
