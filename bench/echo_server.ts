/**
 * The echo floor as its own process (for CPU and RSS from /proc): the
 * tests' bare Deno UDP echo server on 127.0.0.1, printing its port, until
 * SIGTERM. `deno run --allow-net --unstable-net bench/echo_server.ts`
 *
 * @module
 */

import { startUdpEcho } from "../tests/support/udp_echo.ts";

if (import.meta.main) {
  const echo = await startUdpEcho();
  console.log(`echo listening on udp 127.0.0.1:${echo.port}`);
  await new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGTERM", () => resolve());
  });
  await echo.stop();
  Deno.exit(0);
}
