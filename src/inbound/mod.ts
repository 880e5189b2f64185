/**
 * The inbound side: everything a GoIP sends on its own, from datagram to
 * database to acknowledgement. The only module other folders import.
 *
 * @module
 */

export type { InboundDeps } from "./context.ts";
export { type Inbound, startInbound } from "./start.ts";
