/**
 * The GSM network's reasons for refusing a short message (3GPP TS 24.011
 * RP-cause values), which GoIP firmware reports as `errorstatus:<n>`, in
 * words. Pure.
 *
 * @module
 */

const CAUSES: Record<number, string> = {
  1: "unassigned (unallocated) number",
  8: "operator determined barring",
  10: "call barred",
  21: "short message transfer rejected",
  22: "recipient's memory full",
  27: "destination out of service",
  28: "unidentified subscriber",
  29: "facility rejected",
  30: "unknown subscriber",
  38: "network out of order",
  41: "temporary failure",
  42: "congestion",
  47: "network resources unavailable",
  50: "requested facility not subscribed",
  69: "requested facility not implemented",
  81: "invalid short message reference",
  95: "invalid message",
  96: "invalid mandatory information",
  97: "message type not implemented",
  98: "message not compatible with the protocol state",
  99: "information element not implemented",
  111: "protocol error",
  127: "interworking error",
};

/** The words for an RP-cause number, or undefined when unknown. */
export function gsmCauseWords(code: number): string | undefined {
  return Object.hasOwn(CAUSES, code) ? CAUSES[code] : undefined;
}
