/**
 * In-process world for the XMPP tests: a real Prosody (shared harness), a
 * real SQLite store in a temp dir, a hub, and the XMPP part started on them.
 * Used by `tests/xmpp_*_test.ts` (the daemon tests spawn the real daemon).
 *
 * @module
 */

import { ok as assert } from "node:assert/strict";
import { defaultConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { Hub } from "../../src/hub.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { openStore } from "../../src/store/open.ts";
import type { LineState, Store } from "../../src/store/types.ts";
import {
  startXmpp,
  type XmppPart,
  type XmppTiming,
} from "../../src/xmpp/start.ts";
import { startProsody, type XmppServer } from "./prosody.ts";
import { connectUser, type XmlElement, type XmppUser } from "./xmpp_user.ts";
import { waitFor } from "./poll.ts";

export const DOMAIN = "example.org";
export const COMPONENT = "sms.example.org";
export const SECRET = "s3cret-component";
/** Generous bound for every wait. */
export const WAIT = 15_000;

/** Everything a test touches. */
export interface World {
  server: XmppServer;
  store: Store;
  hub: Hub;
  config: Config;
  logs: string[];
  log: Logger;
  /** Start the XMPP part (stopped by the world). */
  xmpp(timing?: XmppTiming): XmppPart;
  /** Connect a user (password `pw-<user>`; stopped by the world). */
  user(name: string): Promise<XmppUser>;
}

/** Run `fn` in a fresh world; everything is stopped and removed after. */
export async function world(
  fn: (w: World) => Promise<void>,
  opts: { secret?: string } = {},
): Promise<void> {
  const server = await startProsody({
    domain: DOMAIN,
    componentJid: COMPONENT,
    componentSecret: SECRET,
    users: ["2001", "2002", "3003"].map((u) => ({
      user: u,
      password: `pw-${u}`,
    })),
  });
  const dir = await Deno.makeTempDir({ prefix: "goippy-xmpp-db-" });
  const logs: string[] = [];
  const log = createLogger({
    level: "debug",
    journald: false,
    write: (l) => logs.push(l),
  });
  const config: Config = {
    ...defaultConfig(),
    SQLITE_PATH: `${dir}/goippy.sqlite3`,
    XMPP_HOST: "127.0.0.1",
    XMPP_PORT: server.componentPort,
    XMPP_DOMAIN: DOMAIN,
    XMPP_COMPONENT_JID: COMPONENT,
    XMPP_COMPONENT_SECRET: opts.secret ?? SECRET,
  };
  const parts: XmppPart[] = [];
  const users: XmppUser[] = [];
  let store: Store | null = null;
  try {
    store = await openStore(config, log);
    await store.migrate();
    const s = store;
    const hub = new Hub();
    await fn({
      server,
      store: s,
      hub,
      config,
      logs,
      log,
      xmpp(timing) {
        const part = startXmpp({
          config: () => config,
          store: s,
          hub,
          log,
          timing,
        });
        parts.push(part);
        return part;
      },
      async user(name) {
        const u = await connectUser({
          port: server.c2sPort,
          domain: DOMAIN,
          user: name,
          password: `pw-${name}`,
        });
        users.push(u);
        return u;
      },
    });
  } finally {
    server.signal("SIGCONT");
    for (const u of users) await u.stop();
    for (const p of parts) await p.stop();
    await store?.close();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Wait until the part is connected. */
export function connected(x: XmppPart): Promise<void> {
  return waitFor(
    () => x.state() === "connected",
    WAIT,
    "component connected",
  );
}

/** A line state as the GoIP inbound handler would save it. */
export function line(goipId: string, ext: string, msisdn: string): LineState {
  return {
    goipId,
    ext,
    msisdn,
    addr: "127.0.0.1:9",
    lastSeenMs: Date.now(),
    signal: 23,
    gsmStatus: "LOGIN",
    voipStatus: "",
    voipState: "",
    remainTime: null,
    provider: "EMT",
    disableStatus: null,
    imei: "",
    imsi: "",
    iccid: "",
  };
}

/** A chat message from a phone contact into the inbox. */
export async function inboxChat(
  w: World,
  body: string,
  from = "+3725551234",
): Promise<void> {
  await w.store.enqueueInbox({
    kind: "chat",
    fromJid: `${from}@${COMPONENT}`,
    toJid: `2001@${DOMAIN}`,
    body,
    refId: "",
    goipId: "goippy_2001",
  });
  w.hub.emit("inbox", undefined);
}

/** Is `s` a message of this type (and id)? */
export const isMsg =
  (type: string | undefined, id?: string) => (s: XmlElement): boolean =>
    s.name === "message" && s.attrs.type === type &&
    (id === undefined || s.attrs.id === id);

/** The `<text/>` of a stanza error. */
export const errText = (s: XmlElement): string =>
  s.getChild("error")?.getChildText(
    "text",
    "urn:ietf:params:xml:ns:xmpp-stanzas",
  ) ?? "";

/** The condition element name of a stanza error. */
export const errCondition = (s: XmlElement): string | undefined =>
  s.getChild("error")?.children.find(
    (c): c is XmlElement => typeof c !== "string" && c.name !== "text",
  )?.name;

/** Sleep a moment so a stanza that should NOT come would show up. */
export function settle(ms = 500): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { assert };
