/**
 * A simulated GoIP channel on real UDP (127.0.0.1): it sends keepalives and
 * events like a device (with the device's resends), and its GSM module
 * ({@linkcode SimDevice}) answers the server's SMS, USSD and control commands.
 * One socket per channel, like a real box.
 *
 * ```ts ignore
 * const sim = await GoipSim.start({
 *   server: { hostname: "127.0.0.1", port },
 *   id: "goip1",
 *   password: "pw",
 * });
 * await sim.keepalive(); // "reg:1;status:200;"
 * await sim.receive("+3725551234", "hello"); // { acked: true, attempts: 1, … }
 * await sim.close();
 * ```
 *
 * @module
 */

import {
  type ChannelOptions,
  type ExchangeResult,
  SimChannel,
  type Timer,
} from "./channel.ts";
import { deviceSettings, isLateReply } from "./defaults.ts";
import { SimDevice } from "./device.ts";
import type {
  ControlRequest,
  DeviceSettings,
  SentSms,
  SmsBehaviourSetting,
  UssdRequest,
} from "./types.ts";
import {
  type ChannelIdentity,
  type FieldValue,
  formatDeliver,
  formatEvent,
  formatHangup,
  formatKeepalive,
  formatReceive,
  formatRecord,
  formatUssn,
  parseServerCommand,
  type ReceiveFormatOptions,
} from "./packets.ts";

/** Options of {@linkcode GoipSim.start}; module settings may be given too. */
export interface GoipSimOptions
  extends ChannelOptions, Partial<DeviceSettings> {
  /** The channel's "ID for SMS". */
  id: string;
  /** The channel's password. */
  password: string;
  /** First event `<n>` (default: Unix seconds now; negative = no NTP). */
  counterStart?: number;
  /** First keepalive `req:<n>` (default 1). */
  keepaliveStart?: number;
  /** First `sms_no` the module hands out (default 1). */
  smsNoStart?: number;
  /** Keepalive values (defaults: 25, a fixed IMSI/ICCID, `EMT`). */
  signal?: number;
  imsi?: string;
  iccid?: string;
  pro?: string;
}

/** One simulated GoIP channel. */
export class GoipSim extends SimChannel {
  /** Acks and keepalive replies that came when nobody waited any more. */
  readonly lateReplies: string[] = [];
  /** Replies to {@linkcode startKeepalives} keepalives. */
  readonly keepaliveReplies: string[] = [];
  /** The simulated GSM module. */
  readonly device: SimDevice;
  /** Identity used in packets (may be changed to test refusals). */
  who: ChannelIdentity;
  readonly #opts: GoipSimOptions;
  #n: number;
  #req: number;
  #keepaliveTimer: Timer | null = null;

  private constructor(opts: GoipSimOptions) {
    super(opts);
    this.#opts = opts;
    this.who = { id: opts.id, password: opts.password };
    this.#n = opts.counterStart ?? Math.floor(Date.now() / 1000);
    this.#req = opts.keepaliveStart ?? 1;
    this.device = new SimDevice(
      deviceSettings(opts.id, opts),
      opts.smsNoStart ?? 1,
      (text) => void this.send(text),
      (ms, fn) => void this.later(ms, fn),
    );
  }

  /** Bind a socket (127.0.0.1, a free port) and start listening. */
  static start(opts: GoipSimOptions): Promise<GoipSim> {
    return Promise.resolve(new GoipSim(opts));
  }

  /** The module's settings (behaviours, delays); change them at any time. */
  get settings(): DeviceSettings {
    return this.device.settings;
  }
  /** SMS behaviour of the module. */
  get smsBehaviour(): SmsBehaviourSetting {
    return this.device.settings.smsBehaviour;
  }
  set smsBehaviour(b: SmsBehaviourSetting) {
    this.device.settings.smsBehaviour = b;
  }
  /** USSD behaviour of the module. */
  get ussdBehaviour(): DeviceSettings["ussdBehaviour"] {
    return this.device.settings.ussdBehaviour;
  }
  set ussdBehaviour(b: DeviceSettings["ussdBehaviour"]) {
    this.device.settings.ussdBehaviour = b;
  }
  /** SMS the module transmitted, duplicates included. */
  get sentSms(): SentSms[] {
    return this.device.sentSms;
  }
  /** USSD requests the module saw (cached answers included). */
  get ussdRequests(): UssdRequest[] {
    return this.device.ussdRequests;
  }
  /** Control commands the module saw. */
  get controlRequests(): ControlRequest[] {
    return this.device.controlRequests;
  }
  /** Protocol rules the server broke (empty when goippy behaves). */
  get violations(): string[] {
    return this.device.violations;
  }
  /** The next `sms_no` the module hands out. */
  get smsNo(): number {
    return this.device.smsNo;
  }
  set smsNo(n: number) {
    this.device.smsNo = n;
  }

  /** The next event `<n>` (device clock-like, increasing). */
  nextN(): number {
    return this.#n++;
  }

  /** Send a keepalive (with resends) and return the reply; throws if none came. */
  async keepalive(fields?: Record<string, FieldValue>): Promise<string> {
    const r = await this.keepaliveTry(fields);
    if (r.reply === undefined) {
      throw new Error(
        `${this.who.id}: no reply to keepalive req:${r.n} ` +
          `after ${r.attempts} attempts`,
      );
    }
    return r.reply;
  }

  /** Send a keepalive with resends; never throws. */
  keepaliveTry(fields?: Record<string, FieldValue>): Promise<ExchangeResult> {
    const n = this.#req++;
    const text = this.keepaliveText(n, fields);
    return this.exchange(text, n, (t) => t.startsWith(`reg:${n};`), () => true);
  }

  /** The keepalive datagram this channel sends for `req:<n>`. */
  keepaliveText(n: number, fields?: Record<string, FieldValue>): string {
    const o = this.#opts;
    const s = this.device.settings;
    return formatKeepalive(n, this.who, {
      num: s.num,
      signal: o.signal ?? 25,
      imei: s.imei,
      imsi: o.imsi ?? "248010000000001",
      iccid: o.iccid ?? "8937201000000000001",
      pro: o.pro ?? "EMT",
    }, fields);
  }

  /** Send one keepalive now and every `intervalMs` (no resends); replies go to `keepaliveReplies`. */
  startKeepalives(
    intervalMs: number,
    fields?: Record<string, FieldValue>,
  ): void {
    this.stopKeepalives();
    const tick = () => {
      const n = this.#req++;
      this.waitReply((t) => t.startsWith(`reg:${n};`), intervalMs).then(
        (reply) => {
          if (reply !== null) this.keepaliveReplies.push(reply);
        },
      );
      void this.send(this.keepaliveText(n, fields));
      this.#keepaliveTimer = this.later(intervalMs, tick);
    };
    tick();
  }

  /** Stop the periodic keepalives. */
  stopKeepalives(): void {
    if (this.#keepaliveTimer !== null) {
      this.cancel(this.#keepaliveTimer);
      this.#keepaliveTimer = null;
    }
  }

  /** An incoming SMS, resent like a device until `RECEIVE <n> OK`. */
  receive(
    srcnum: string,
    msg: string,
    opts: ReceiveFormatOptions & { n?: number } = {},
  ): Promise<ExchangeResult> {
    const n = opts.n ?? this.nextN();
    const text = formatReceive(n, this.who, srcnum, msg, opts);
    return this.#event("RECEIVE", n, text);
  }

  /** A delivery report for `sms_no` (state 0 = delivered, null = no state). */
  deliver(
    smsNo: number,
    state: number | null,
    num: string,
    opts: { n?: number } = {},
  ): Promise<ExchangeResult> {
    const n = opts.n ?? this.nextN();
    const text = formatDeliver(n, this.who, smsNo, state, num);
    return this.#event("DELIVER", n, text);
  }

  /** A call starts: dir 1 incoming, 2 outgoing. */
  record(dir: number, num: string, cause?: string): Promise<ExchangeResult> {
    const n = this.nextN();
    return this.#event("RECORD", n, formatRecord(n, this.who, dir, num, cause));
  }

  /** A call ends (`num:<num>,cause:<cause>`). */
  hangup(num: string, cause: string): Promise<ExchangeResult> {
    const n = this.nextN();
    return this.#event("HANGUP", n, formatHangup(n, this.who, num, cause));
  }

  /** Unsolicited USSD from the network. */
  ussn(text: string): Promise<ExchangeResult> {
    const n = this.nextN();
    return this.#event("USSN", n, formatUssn(n, this.who, text));
  }

  /** Any event `NAME:<n>;id;password;k:v…`, awaiting `NAME <n> OK`. */
  event(
    name: string,
    fields: Record<string, FieldValue> = {},
  ): Promise<ExchangeResult> {
    const n = this.nextN();
    return this.#event(name, n, formatEvent(name, n, this.who, fields));
  }

  /** Wait until the module has transmitted `count` SMS in total. */
  waitForSms(count: number, timeoutMs: number): Promise<void> {
    return this.waitFor(
      () => this.sentSms.length >= count,
      timeoutMs,
      `${count} transmitted SMS on ${this.who.id} ` +
        `(have ${this.sentSms.length})`,
    );
  }

  /** Stop keepalives and timers, close the socket. */
  override close(): Promise<void> {
    this.stopKeepalives();
    return super.close();
  }

  /** Datagrams no waiter took: late acks, or commands for the module. */
  protected unmatched(text: string): void {
    if (isLateReply(text)) {
      this.lateReplies.push(text);
      return;
    }
    this.device.handle(parseServerCommand(text));
  }

  /** Record a protocol rule the server broke. */
  protected violation(text: string): void {
    this.device.violations.push(text);
  }

  #event(name: string, n: number, text: string): Promise<ExchangeResult> {
    const prefix = `${name} ${n} `;
    return this.exchange(
      text,
      n,
      (t) => t.startsWith(prefix),
      (t) => t.replace(/\r?\n$/, "") === `${prefix}OK`,
    );
  }
}
