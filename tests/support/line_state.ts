/**
 * A complete line state for store tests: `goippy_2001`, ext 2001, every
 * field set (override any).
 *
 * @module
 */

import type { LineState } from "../../src/store/types.ts";

/** A line state with every field set; `over` replaces any of them. */
export function lineStateFixture(over: Partial<LineState> = {}): LineState {
  return {
    goipId: "goippy_2001",
    ext: "2001",
    msisdn: "+79990001122",
    addr: "192.0.2.10:5060",
    lastSeenMs: 1_700_000_000_123,
    signal: 25,
    gsmStatus: "LOGIN",
    voipStatus: "LOGIN",
    voipState: "IDLE",
    remainTime: -1,
    provider: "MegaFon",
    disableStatus: false,
    imei: "356789012345678",
    imsi: "250021234567890",
    iccid: "8970102123456789012",
    ...over,
  };
}
