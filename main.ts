/**
 * goippy: GoIP GSM gateways ↔ XMPP bridge. Entry point of `deno task goippy`
 * and of the compiled binary.
 *
 * @module
 */

import { runCli } from "./src/cli/main.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
