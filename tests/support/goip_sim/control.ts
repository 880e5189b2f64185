/**
 * How the simulated module answers control commands
 * (`<cmd> <sid> [value] <pw>`). Pure apart from `set_gsm_num`, which changes
 * the module's number in `s`.
 *
 * @module
 */

import type { DeviceSettings } from "./types.ts";

/** The module's success reply to a control command (password already checked). */
export function controlReply(
  command: string,
  sendid: number,
  args: string[],
  s: DeviceSettings,
): string {
  switch (command) {
    case "get_gsm_num":
      return `get_gsm_num ${sendid} ${s.num}`;
    case "set_gsm_num":
      if (args.length !== 1) return `ERROR ${sendid} value`;
      s.num = args[0];
      return `set_gsm_num ${sendid} ${s.num} ok`;
    case "get_gsm_state":
      return `get_gsm_state ${sendid} IDLE`;
    case "get_remain_time":
    case "get_exp_time":
      return `${command} ${sendid} -1`;
    case "get_imei":
      return `get_imei ${sendid} ${s.imei}`;
    case "GSM":
      return (`GSM:${sendid};get_gsm_num:${s.num};get_exp_time:-1;` +
        `get_remain_time:-1;get_gsm_state:IDLE;imei:${s.imei};` +
        `out_call_interval:0;module_down:0`);
    case "CF":
      return `CFOK ${sendid}`;
    default:
      return `${command} ${sendid} ok`;
  }
}
