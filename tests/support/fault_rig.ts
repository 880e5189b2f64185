/**
 * The whole system for fault tests: a real Prosody, the real goippy daemon
 * (its own process, goippy's permission flags) connected to it as the
 * component, a real XMPP user and a simulated GoIP channel for that user's
 * gateway. Plus helpers to count what the user received.
 *
 * @module
 */

import { type DaemonHandle, startDaemon } from "./daemon.ts";
import { GoipSim, type GoipSimOptions } from "./goip_sim/mod.ts";
import type { MariaDb } from "./mariadb.ts";
import { startProsody, type XmppServer } from "./prosody.ts";
import { connectUser, type XmlElement, type XmppUser } from "./xmpp_user.ts";

/** Domain, component and first user of every rig. */
export const DOMAIN = "example.org";
export const COMPONENT = "sms.example.org";
export const SECRET = "c0mp-secret";
export const EXT = "2001";
export const GW_PASS = "gw-Pa55-2001";
export const USER_PASS = "user-pw";
/** The GoIP id `--add` gives ext 2001. */
export const GOIP_ID = `goippy_${EXT}`;
/** The SIM's own number (the own-line contact is `+<LINE_NUM>@component`). */
export const LINE_NUM = "+3725550000";

/** Options of {@linkcode startRig}. */
export interface RigOptions {
  /** Extra goippy config keys. */
  config?: Record<string, string | number | boolean | string[]>;
  dbBackend?: "sqlite" | "mysql";
  mysql?: Pick<MariaDb, "host" | "port" | "user" | "password" | "database">;
  /** More gateways/users (ext = XMPP user, same password for both). */
  more?: { ext: string; password: string }[];
  /** Simulator options (server/id/password are filled in). */
  sim?: Partial<GoipSimOptions>;
  /** Connect the user (default true). */
  user?: boolean;
  /** Extra Prosody config inside the global section. */
  prosodyExtra?: string;
}

/** A running rig; `close()` stops everything. */
export interface Rig {
  prosody: XmppServer;
  daemon: DaemonHandle;
  sim: GoipSim;
  /** The connected user 2001 (null when `user: false` or after `stopUser`). */
  user: XmppUser | null;
  connectUser(ext?: string, password?: string): Promise<XmppUser>;
  close(): Promise<void>;
}

/** Start Prosody, the daemon (with gateway 2001), the user and the sim. */
export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const more = opts.more ?? [];
  const prosody = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: [
      { user: EXT, password: USER_PASS },
      ...more.map((m) => ({
        user: m.ext,
        password: m.password,
      })),
    ],
    extraConfig: opts.prosodyExtra,
  });
  const users: XmppUser[] = [];
  let daemon: DaemonHandle | null = null;
  let sim: GoipSim | null = null;
  const connect = async (ext = EXT, password = USER_PASS) => {
    const u = await connectUser({
      port: prosody.c2sPort,
      domain: DOMAIN,
      user: ext,
      password,
    });
    users.push(u);
    return u;
  };
  const close = async () => {
    for (const u of users) await u.stop();
    await sim?.close();
    if (daemon) await daemon.stop().catch(() => daemon!.kill());
    await prosody.stop();
  };
  try {
    daemon = await startDaemon({
      dbBackend: opts.dbBackend,
      mysql: opts.mysql,
      config: {
        XMPP_HOST: "127.0.0.1",
        XMPP_PORT: prosody.componentPort,
        XMPP_DOMAIN: DOMAIN,
        XMPP_COMPONENT_JID: COMPONENT,
        XMPP_COMPONENT_SECRET: SECRET,
        ...opts.config,
      },
      gateways: [{ ext: EXT, password: GW_PASS }, ...more],
    });
    await daemon.waitForLog(/XMPP.*(connected|online)/i, 30_000);
    sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: daemon.udpPort },
      id: GOIP_ID,
      password: GW_PASS,
      num: LINE_NUM,
      retransmitMs: 1000,
      ...opts.sim,
    });
    const user = opts.user === false ? null : await connect();
    return { prosody, daemon, sim, user, connectUser: connect, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Chat bodies the user got from `from` (bare JID), in arrival order. */
export function bodiesFrom(user: XmppUser, from: string): string[] {
  return user.messages
    .filter((m) =>
      (m.attrs.from ?? "").split("/")[0] === from &&
      m.attrs.type !== "error"
    )
    .map((m) => m.getChildText("body") ?? "");
}

/** Every chat body the user got (not errors), in arrival order. */
export function chatBodies(user: XmppUser): string[] {
  return user.messages
    .filter((m) => m.attrs.type !== "error" && m.getChildText("body") !== null)
    .map((m) => m.getChildText("body") ?? "");
}

/** Error stanzas the user got, by the id of the message they answer. */
export function errorsById(user: XmppUser): Map<string, XmlElement[]> {
  const out = new Map<string, XmlElement[]>();
  for (const m of user.messages) {
    if (m.attrs.type !== "error") continue;
    const id = m.attrs.id ?? "";
    out.set(id, [...(out.get(id) ?? []), m]);
  }
  return out;
}

/** The human text of an error stanza. */
export function errorText(m: XmlElement): string {
  return m.getChild("error")?.getChildText(
    "text",
    "urn:ietf:params:xml:ns:xmpp-stanzas",
  ) ?? "";
}

/** Count of each string in `xs`. */
export function tally(xs: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

/**
 * `senders` numbers each send `perSender` SMS one after the other (all
 * numbers at once), like a device. Body `s<i> m<j>`. Returns each exchange's
 * outcome by body.
 */
export async function receiveStream(
  sim: GoipSim,
  senders: number,
  perSender: number,
  onAck?: (body: string) => void,
): Promise<Map<string, boolean>> {
  const acked = new Map<string, boolean>();
  await Promise.all(
    Array.from({ length: senders }, async (_, s) => {
      for (let j = 0; j < perSender; j++) {
        const body = `s${s} m${j}`;
        const r = await sim.receive(senderNumber(s), body);
        acked.set(body, r.acked);
        if (r.acked) onAck?.(body);
      }
    }),
  );
  return acked;
}

/** The phone number of stream sender `s`. */
export function senderNumber(s: number): string {
  return `+37256${String(100000 + s)}`;
}

/**
 * Make many accounts at once on a running test Prosody: copies the account
 * file of an existing user (same password) under new names. `prosodyctl
 * register` costs a Lua start per account (minutes for hundreds).
 */
export async function cloneAccounts(
  prosody: XmppServer,
  from: string,
  users: string[],
): Promise<void> {
  const host = `${prosody.dir}/data/${DOMAIN.replaceAll(".", "%2e")}/accounts`;
  const data = await Deno.readFile(`${host}/${from}.dat`);
  for (const u of users) await Deno.writeFile(`${host}/${u}.dat`, data);
}
