/**
 * The GoIP simulator: {@linkcode GoipSim}, one simulated GoIP channel on real
 * UDP that speaks to goippy like a device (keepalives, events with the
 * device's resends, a GSM module answering SMS, USSD and control commands),
 * and {@linkcode GoipFleet}, many idle channels for load tests. The only
 * module of this directory that tests, benchmarks and fuzzers import.
 *
 * @module
 */

export { GoipSim, type GoipSimOptions } from "./sim.ts";
export { type FleetStats, GoipFleet, type GoipFleetOptions } from "./fleet.ts";
export { dropper, type Random, seededRandom } from "./prng.ts";
export type {
  ControlBehaviour,
  ControlRequest,
  DeviceSettings,
  SentSms,
  SmsBehaviour,
  SmsBehaviourSetting,
  SmsStage,
  UssdBehaviour,
  UssdRequest,
} from "./types.ts";
export type { FieldValue } from "./packets.ts";
export { SimDevice } from "./device.ts";
export type { ChannelOptions, ExchangeResult } from "./channel.ts";
