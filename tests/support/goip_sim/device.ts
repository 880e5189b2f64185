/**
 * The device side of a simulated GoIP channel: the GSM module answering the
 * server's `SMS`, `MSG/PASSWORD/SEND/DONE`, `USSD`, `USSDEXIT` and control
 * commands. No I/O of its own: it is handed a `reply` function and a
 * `schedule` function by {@linkcode GoipSim}.
 *
 * @module
 */

import { controlReply } from "./control.ts";
import { handleUssd } from "./ussd.ts";
import { type ServerCommand, utf8Length } from "./packets.ts";
import type {
  ControlRequest,
  DeviceSettings,
  SentSms,
  SmsBehaviour,
  SmsStage,
  UssdRequest,
} from "./types.ts";

interface Session {
  text: string;
  passwordOk: boolean;
  lastAt: number;
}

/** The simulated GSM module of one channel. */
export class SimDevice {
  /** Every SMS transmitted to the network, duplicates included. */
  readonly sentSms: SentSms[] = [];
  /** Every USSD request, cached answers included. */
  readonly ussdRequests: UssdRequest[] = [];
  /** Every control command. */
  readonly controlRequests: ControlRequest[] = [];
  /** Protocol rules the server broke, in words (for assertions). */
  readonly violations: string[] = [];
  /** The next `sms_no` the module will hand out. */
  smsNo: number;
  /** The device's USSD cache quirk: the last answer and its sendid. */
  ussdCache: { sendid: number; text: string } | null = null;
  readonly #sessions = new Map<number, Session>();
  readonly #counts = new Map<string, number>();
  /** The SMS the module is busy with (`sendid telid`), until its final answer. */
  #busy: string | null = null;
  /** sendids (and telids) already answered with WAIT. */
  readonly #waited = new Set<string>();

  /** Make a module; `reply` transmits, `schedule` runs later (cancellable by the owner). */
  constructor(
    readonly settings: DeviceSettings,
    smsNoStart: number,
    readonly reply: (text: string) => void,
    readonly schedule: (delayMs: number, fn: () => void) => void,
  ) {
    this.smsNo = smsNoStart;
  }

  /** Handle one server command. */
  handle(cmd: ServerCommand): void {
    switch (cmd.kind) {
      case "sms":
        return this.#sms(cmd);
      case "msg":
        return this.#msg(cmd);
      case "password":
        return this.#password(cmd);
      case "send":
        return this.#send(cmd);
      case "done":
        return this.#done(cmd.sendid);
      case "ussd":
        return handleUssd(this, cmd);
      case "ussdexit":
        if (cmd.password !== this.settings.password) {
          return this.reply(`ERROR ${cmd.sendid} PASSWORD`);
        }
        return this.reply(`USSDEXIT ${cmd.sendid}`);
      case "control":
        return this.#control(cmd);
      case "unknown":
        this.violations.push(cmd.reason);
    }
  }

  #behaviour(s: Omit<SmsStage, "count">): SmsBehaviour {
    const key = `${s.stage} ${s.sendid} ${s.telid ?? ""}`;
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    const b = this.settings.smsBehaviour;
    return typeof b === "function" ? b({ ...s, count }) : b;
  }

  /** Answers that end an SMS attempt before anything is transmitted. */
  #refuse(b: SmsBehaviour, sendid: number): boolean {
    const why = b === "gsm-logout"
      ? "GSM_LOGOUT"
      : b === "busy"
      ? "too_many_sends_in_server"
      : b === "sendid-error"
      ? "SENDID"
      : null;
    if (why !== null) this.reply(`ERROR ${sendid} ${why}`);
    return why !== null || b === "silent";
  }

  #sms(cmd: Extract<ServerCommand, { kind: "sms" }>): void {
    const b = this.#behaviour({
      stage: "sms",
      sendid: cmd.sendid,
      telid: cmd.telid,
      number: cmd.number,
      text: cmd.text,
    });
    if (this.#refuse(b, cmd.sendid)) return;
    if (cmd.password !== this.settings.password) {
      return this.reply(`ERROR ${cmd.sendid} PASSWORD`);
    }
    this.#transmit(b, "sms", cmd.sendid, cmd.telid, cmd.number, cmd.text);
  }

  #msg(cmd: Extract<ServerCommand, { kind: "msg" }>): void {
    const b = this.#behaviour({
      stage: "msg",
      sendid: cmd.sendid,
      telid: null,
      number: null,
      text: cmd.text,
    });
    if (this.#refuse(b, cmd.sendid)) return;
    const bytes = utf8Length(cmd.text);
    if (bytes !== cmd.len) {
      this.violations.push(
        `MSG ${cmd.sendid} says ${cmd.len} bytes but the text has ${bytes}`,
      );
    }
    const now = Date.now();
    this.#expireSessions(now);
    if (
      !this.#sessions.has(cmd.sendid) &&
      this.#sessions.size >= this.settings.maxSessions
    ) {
      return this.reply(`ERROR ${cmd.sendid} too_many_sends_in_server`);
    }
    this.#sessions.set(cmd.sendid, {
      text: cmd.text,
      passwordOk: false,
      lastAt: now,
    });
    this.reply(`PASSWORD ${cmd.sendid}`);
  }

  #session(sendid: number): Session | undefined {
    this.#expireSessions(Date.now());
    const s = this.#sessions.get(sendid);
    if (s) s.lastAt = Date.now();
    return s;
  }

  #expireSessions(now: number): void {
    for (const [sid, s] of this.#sessions) {
      if (now - s.lastAt > this.settings.sessionTimeoutMs) {
        this.#sessions.delete(sid);
      }
    }
  }

  #password(cmd: Extract<ServerCommand, { kind: "password" }>): void {
    const b = this.#behaviour({
      stage: "password",
      sendid: cmd.sendid,
      telid: null,
      number: null,
      text: null,
    });
    if (b === "silent") return;
    const s = this.#session(cmd.sendid);
    if (!s) {
      this.violations.push(`PASSWORD ${cmd.sendid} without a session`);
      return this.reply(`ERROR ${cmd.sendid} SENDID`);
    }
    if (cmd.password !== this.settings.password) {
      this.#sessions.delete(cmd.sendid);
      return this.reply(`ERROR ${cmd.sendid} PASSWORD`);
    }
    s.passwordOk = true;
    this.reply(`SEND ${cmd.sendid}`);
  }

  #send(cmd: Extract<ServerCommand, { kind: "send" }>): void {
    const s = this.#session(cmd.sendid);
    const b = this.#behaviour({
      stage: "send",
      sendid: cmd.sendid,
      telid: cmd.telid,
      number: cmd.number,
      text: s?.text ?? null,
    });
    if (b === "silent") return;
    if (!s || !s.passwordOk) {
      this.violations.push(`SEND ${cmd.sendid} without an open session`);
      return this.reply(`ERROR ${cmd.sendid} SENDID`);
    }
    if (this.#refuse(b, cmd.sendid)) return;
    this.#transmit(b, "session", cmd.sendid, cmd.telid, cmd.number, s.text);
  }

  #done(sendid: number): void {
    const b = this.#behaviour({
      stage: "done",
      sendid,
      telid: null,
      number: null,
      text: null,
    });
    if (b === "silent") return;
    this.#sessions.delete(sendid);
    this.reply(`DONE ${sendid}`);
  }

  /** The module sends one SMS per accepted datagram, then reports. */
  #transmit(
    b: SmsBehaviour,
    form: SentSms["form"],
    sendid: number,
    telid: number,
    number: string,
    text: string,
  ): void {
    const key = `${sendid} ${telid}`;
    if (this.#waited.has(key)) {
      this.violations.push(
        `${
          form === "sms" ? "SMS" : "SEND"
        } ${sendid} ${telid} resent after WAIT`,
      );
    }
    if (this.#busy !== null && this.#busy !== key) {
      this.violations.push(
        `${form === "sms" ? "SMS" : "SEND"} ${key} while ${this.#busy} ` +
          `is still being sent (sends must be serialized per line)`,
      );
    }
    const final = (text: string) => {
      if (this.#busy === key) this.#busy = null;
      this.reply(text);
    };
    if (b === "error") {
      this.#waited.add(key);
      this.#busy = key;
      this.reply(`WAIT ${sendid} ${telid}`);
      this.schedule(
        this.settings.okDelayMs,
        () => final(`ERROR ${sendid} ${telid} errorstatus:1`),
      );
      return;
    }
    const smsNo = b === "no-sms-no" ? null : this.#nextSmsNo();
    this.sentSms.push({
      sendid,
      telid,
      number,
      text,
      at: Date.now(),
      form,
      smsNo,
    });
    if (b === "sent-silent") return;
    this.#waited.add(key);
    this.#busy = key;
    const waits = b === "wait-long" ? Math.max(1, this.settings.waitCount) : 1;
    const gap = b === "wait-long" ? this.settings.waitIntervalMs : 0;
    this.reply(`WAIT ${sendid} ${telid}`);
    for (let i = 1; i < waits; i++) {
      this.schedule(i * gap, () => this.reply(`WAIT ${sendid} ${telid}`));
    }
    const ok = smsNo === null
      ? `OK ${sendid} ${telid}`
      : `OK ${sendid} ${telid} ${smsNo}`;
    this.schedule(
      (waits - 1) * gap + this.settings.okDelayMs,
      () => final(ok),
    );
  }

  #nextSmsNo(): number {
    const no = this.smsNo;
    this.smsNo = no >= this.settings.smsNoMax ? 0 : no + 1;
    return no;
  }

  #control(cmd: Extract<ServerCommand, { kind: "control" }>): void {
    const { command, sendid, args, password } = cmd;
    this.controlRequests.push({
      command,
      sendid,
      args,
      password,
      at: Date.now(),
    });
    const b = this.settings.controlBehaviour;
    if (b === "silent") return;
    if (password !== this.settings.password) {
      return this.reply(`ERROR ${sendid} PASSWORD`);
    }
    if (b === "error") return this.reply(`ERROR ${sendid} busy`);
    this.reply(controlReply(command, sendid, args, this.settings));
  }
}
