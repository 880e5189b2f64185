/**
 * The outbound side: queued SMS and USSD requests handed to GoIP lines, and
 * their outcomes told to whoever sent them. The only module other folders
 * import.
 *
 * @module
 */

export {
  type GoipTransport,
  type Outbound,
  type OutboundDeps,
  startOutbound,
} from "./driver.ts";
export {
  OUTBOUND_RECORD,
  type OutcomeSpool,
  replayOutcome,
  type SpooledOutcome,
} from "./outcome_spool.ts";
