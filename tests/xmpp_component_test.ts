/**
 * The XMPP part in-process against a REAL Prosody (started here in a temp
 * dir on free loopback ports), a real SQLite store and a real XMPP client
 * (`@xmpp/client`) as the user. No GoIP needed: the store's inbox/outbox are
 * the boundary (the daemon tests cover UDP end to end).
 *
 * Sanitizers: xmpp.js keeps internal timers (stream-close timeouts) alive
 * for a moment after a connection ends, so op sanitizing is off here.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { client } from "@xmpp/client";
import { defaultConfig } from "../src/config/load.ts";
import type { Config } from "../src/config/types.ts";
import { Hub } from "../src/hub.ts";
import { createLogger } from "../src/log.ts";
import { openStore } from "../src/store/open.ts";
import type { LineState, Store } from "../src/store/types.ts";
import { startXmpp } from "../src/xmpp/start.ts";
import { xml, type XmlElement } from "../src/xmpp/xml.ts";
import { freeTcpPort } from "./support/ports.ts";

const DOMAIN = "example.org";
const COMPONENT = "sms.example.org";
const SECRET = "s3cret-component";
const WAIT = 15_000;

/** A throwaway Prosody (minimal; the shared harness has the full one). */
class LocalProsody {
  dir = Deno.makeTempDirSync({ prefix: "goippy-xmpp-" });
  c2sPort = freeTcpPort();
  componentPort = freeTcpPort();
  #child: Deno.ChildProcess | null = null;

  async start(users: [string, string][]): Promise<void> {
    const cfg = `${this.dir}/prosody.cfg.lua`;
    Deno.mkdirSync(`${this.dir}/data`);
    Deno.writeTextFileSync(
      cfg,
      `pidfile = "${this.dir}/prosody.pid"
data_path = "${this.dir}/data"
run_as_root = true
daemonize = false
log = { debug = "${this.dir}/prosody.log" }
interfaces = { "127.0.0.1" }
c2s_ports = { ${this.c2sPort} }
s2s_ports = {}
component_ports = { ${this.componentPort} }
component_interfaces = { "127.0.0.1" }
http_ports = {}
https_ports = {}
modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "presence"; "offline" }
modules_disabled = { "s2s"; "tls" }
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
VirtualHost "${DOMAIN}"
Component "${COMPONENT}"
  component_secret = "${SECRET}"
`,
    );
    for (const [u, p] of users) {
      const out = await new Deno.Command("prosodyctl", {
        args: ["--config", cfg, "register", u, DOMAIN, p],
        stdout: "null",
        stderr: "null",
      }).output();
      assert(out.success, `prosodyctl register ${u} failed`);
    }
    await this.resume();
  }

  /** Start (again) and wait for both ports. */
  async resume(): Promise<void> {
    this.#child = new Deno.Command("prosody", {
      args: ["--config", `${this.dir}/prosody.cfg.lua`],
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (const port of [this.c2sPort, this.componentPort]) {
      await waitUntil(
        async () => {
          try {
            (await Deno.connect({ hostname: "127.0.0.1", port })).close();
            return true;
          } catch {
            return false;
          }
        },
        WAIT,
        `prosody port ${port}`,
      );
    }
  }

  signal(sig: Deno.Signal): void {
    this.#child?.kill(sig);
  }

  /** SIGTERM and wait. */
  async pause(): Promise<void> {
    if (!this.#child) return;
    this.#child.kill("SIGCONT");
    this.#child.kill("SIGTERM");
    await this.#child.status;
    this.#child = null;
  }

  async stop(): Promise<void> {
    await this.pause();
    Deno.removeSync(this.dir, { recursive: true });
  }
}

async function waitUntil(
  pred: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A user's client that records every stanza it receives. */
class User {
  stanzas: XmlElement[] = [];
  // deno-lint-ignore no-explicit-any
  #c: any;
  constructor(port: number, user: string, password: string) {
    this.#c = client({
      service: `xmpp://127.0.0.1:${port}`,
      domain: DOMAIN,
      username: user,
      password,
      resource: "test",
    });
    this.#c.reconnect.stop();
    this.#c.on("error", () => {});
    this.#c.on("stanza", (s: XmlElement) => this.stanzas.push(s));
  }
  async start(): Promise<void> {
    await this.#c.start();
    await this.send(
      xml(
        "iq",
        { type: "get", id: "roster1" },
        xml("query", { xmlns: "jabber:iq:roster" }),
      ),
    );
    await this.send(xml("presence"));
  }
  send(el: XmlElement): Promise<void> {
    return this.#c.send(el);
  }
  async waitFor(
    pred: (s: XmlElement) => boolean,
    what: string,
  ): Promise<XmlElement> {
    let found: XmlElement | undefined;
    await waitUntil(() => !!(found = this.stanzas.find(pred)), WAIT, what);
    return found!;
  }
  async stop(): Promise<void> {
    try {
      await this.#c.stop();
    } catch {
      // server already gone
    }
  }
}

interface World {
  prosody: LocalProsody;
  store: Store;
  hub: Hub;
  config: Config;
  logs: string[];
  dir: string;
}

async function world(
  fn: (w: World) => Promise<void>,
  secret = SECRET,
): Promise<void> {
  const prosody = new LocalProsody();
  await prosody.start([["2001", "pw1"], ["2002", "pw2"], ["3003", "pw3"]]);
  const dir = Deno.makeTempDirSync({ prefix: "goippy-xmpp-db-" });
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
    XMPP_PORT: prosody.componentPort,
    XMPP_DOMAIN: DOMAIN,
    XMPP_COMPONENT_JID: COMPONENT,
    XMPP_COMPONENT_SECRET: secret,
  };
  const store = await openStore(config, log);
  try {
    await store.migrate();
    await fn({ prosody, store, hub: new Hub(), config, logs, dir });
  } finally {
    await store.close();
    await prosody.stop();
    Deno.removeSync(dir, { recursive: true });
  }
}

function line(
  goipId: string,
  ext: string,
  msisdn: string,
  lastSeenMs = Date.now(),
): LineState {
  return {
    goipId,
    ext,
    msisdn,
    addr: "127.0.0.1:9",
    lastSeenMs,
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

const isMsg = (type: string | undefined, id?: string) => (s: XmlElement) =>
  s.name === "message" && s.attrs.type === type &&
  (id === undefined || s.attrs.id === id);
const errText = (s: XmlElement) =>
  s.getChild("error")?.getChildText(
    "text",
    "urn:ietf:params:xml:ns:xmpp-stanzas",
  ) ?? "";
const errCondition = (s: XmlElement) =>
  s.getChild("error")?.children.find((c): c is XmlElement =>
    typeof c !== "string" && c.name !== "text"
  )?.name;

const OPTS = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "xmpp: incoming SMS reaches the user exactly; outgoing SMS is queued",
  OPTS,
  async () => {
    await world(async ({ prosody, store, hub, config }) => {
      await store.addGateway({
        ext: "2001",
        goipPass: "pw",
        allowRegex: "\\+372",
      });
      const outboxEvents: (string | undefined)[] = [];
      hub.on("outbox", (e) => outboxEvents.push(e.goipId));
      const x = startXmpp({
        config,
        store,
        hub,
        log: createLogger({ level: "error", journald: false, write: () => {} }),
      });
      const user = new User(prosody.c2sPort, "2001", "pw1");
      try {
        await waitUntil(
          () => x.state() === "connected",
          WAIT,
          "component connected",
        );
        await user.start();
        const body = "Tere! ünïcödé 🙂 & <tags>\n  second line  ";
        await store.enqueueInbox({
          kind: "chat",
          fromJid: "+3725551234@sms.example.org",
          toJid: "2001@example.org",
          body,
          refId: "",
          goipId: "goippy_2001",
        });
        hub.emit("inbox", undefined);
        const m = await user.waitFor(isMsg("chat"), "incoming SMS");
        assertEquals(m.getChildText("body"), body);
        assertEquals(m.attrs.from, "+3725551234@sms.example.org");
        assertEquals(m.attrs.to, "2001@example.org");
        assertEquals(m.getChild("delay", "urn:xmpp:delay"), undefined);
        await waitUntil(
          async () => (await store.pendingInbox(10)).length === 0,
          WAIT,
          "inbox done",
        );

        await user.send(xml(
          "message",
          { type: "chat", to: "+3725550001@sms.example.org", id: "out-1" },
          xml("body", {}, "hello  there\nline two"),
          xml("request", { xmlns: "urn:xmpp:receipts" }),
        ));
        await user.send(
          xml(
            "message",
            { type: "chat", to: "+3725550001@sms.example.org" },
            xml("composing", {
              xmlns: "http://jabber.org/protocol/chatstates",
            }),
          ),
        );
        await waitUntil(
          async () => !!(await store.nextQueued("goippy_2001")),
          WAIT,
          "outbox row",
        );
        const row = (await store.nextQueued("goippy_2001"))!;
        assertEquals(
          [
            row.kind,
            row.number,
            row.body,
            row.fromJid,
            row.toJid,
            row.stanzaId,
            row.wantReceipt,
            row.origin,
            row.ext,
          ],
          [
            "sms",
            "+3725550001",
            "hello  there\nline two",
            "2001@example.org",
            "+3725550001@sms.example.org",
            "out-1",
            true,
            "xmpp",
            "2001",
          ],
        );
        assertEquals(outboxEvents, ["goippy_2001"]);
        assertEquals((await store.queueDepths()).outboxQueued, 1);
      } finally {
        await user.stop();
        await x.stop();
      }
      assertEquals(x.state(), "off");
    });
  },
);

Deno.test(
  "xmpp: every refusal is an error stanza with a clear text and nothing is queued",
  OPTS,
  async () => {
    await world(async ({ prosody, store, hub, config }) => {
      await store.addGateway({
        ext: "2001",
        goipPass: "pw",
        allowRegex: "\\+372",
      });
      await store.addGateway({ ext: "2002", goipPass: "pw" });
      await store.setGatewayEnabled("2002", false);
      const x = startXmpp({
        config,
        store,
        hub,
        log: createLogger({ level: "error", journald: false, write: () => {} }),
      });
      const u1 = new User(prosody.c2sPort, "2001", "pw1");
      const u2 = new User(prosody.c2sPort, "2002", "pw2");
      const u3 = new User(prosody.c2sPort, "3003", "pw3");
      try {
        await waitUntil(
          () => x.state() === "connected",
          WAIT,
          "component connected",
        );
        await Promise.all([u1.start(), u2.start(), u3.start()]);
        const cases: [User, string, string, string, string][] = [
          [
            u3,
            "+3725550001",
            "hi",
            "registration-required",
            "You (3003@example.org) have no GSM line on goippy; ask the admin to add ext 3003.",
          ],
          [
            u2,
            "+3725550001",
            "hi",
            "forbidden",
            "Your GSM line (ext 2002) is disabled; ask the admin to enable it.",
          ],
          [
            u1,
            "bank",
            "hi",
            "jid-malformed",
            '"bank" is not a phone number: write to +<3 to 20 digits>@ this service.',
          ],
          [
            u1,
            "12",
            "hi",
            "jid-malformed",
            '"12" is not a phone number: write to +<3 to 20 digits>@ this service.',
          ],
          [
            u1,
            "+49301234",
            "hi",
            "not-allowed",
            "Sending to +49301234 is not allowed for your line (ext 2001).",
          ],
          [
            u1,
            "+3725550001",
            "   ",
            "bad-request",
            "Empty message: nothing to send.",
          ],
          [
            u1,
            "+3725550001",
            "x".repeat(3001),
            "policy-violation",
            "Message too long: 3001 bytes, the GoIP takes at most 3000.",
          ],
          [
            u1,
            "",
            "*100# 1234",
            "bad-request",
            '"*100# 1234" is not a USSD code (digits, *, #, + only) or a command; write "help".',
          ],
        ];
        let n = 0;
        for (const [user, number, body, condition, text] of cases) {
          const id = `bad-${n++}`;
          const to = number ? `${number}@${COMPONENT}` : COMPONENT;
          await user.send(
            xml("message", { type: "chat", to, id }, xml("body", {}, body)),
          );
          const err = await user.waitFor(isMsg("error", id), `error for ${id}`);
          assertEquals([id, errCondition(err), errText(err), err.attrs.from], [
            id,
            condition,
            text,
            to,
          ]);
        }
        assertEquals(await store.queueDepths(), {
          inboxPending: 0,
          outboxQueued: 0,
          outboxSending: 0,
        });
        assertEquals(await store.linesWithQueued(), []);
      } finally {
        await Promise.all([u1.stop(), u2.stop(), u3.stop()]);
        await x.stop();
      }
    });
  },
);

Deno.test(
  "xmpp: messages queued while Prosody is down arrive after its restart, in order, stamped, none lost or doubled",
  OPTS,
  async () => {
    await world(async ({ prosody, store, hub, config, logs }) => {
      await store.addGateway({ ext: "2001", goipPass: "pw" });
      const x = startXmpp({
        config,
        store,
        hub,
        log: createLogger({
          level: "debug",
          journald: false,
          write: (l) => logs.push(l),
        }),
      });
      let user = new User(prosody.c2sPort, "2001", "pw1");
      try {
        await waitUntil(
          () => x.state() === "connected",
          WAIT,
          "component connected",
        );
        await user.start();
        await user.stop();
        await prosody.pause();
        await waitUntil(
          () => x.state() === "connecting",
          WAIT,
          "component noticed the drop",
        );
        const before = Date.now();
        for (let i = 1; i <= 12; i++) {
          await store.enqueueInbox({
            kind: "chat",
            fromJid: "+3725551234@sms.example.org",
            toJid: "2001@example.org",
            body: `queued ${i}`,
            refId: "",
            goipId: "goippy_2001",
          });
          hub.emit("inbox", undefined);
        }
        await prosody.resume();
        await waitUntil(
          () => x.state() === "connected",
          30_000,
          "component reconnected",
        );
        await waitUntil(
          async () => (await store.pendingInbox(100)).length === 0,
          WAIT,
          "inbox done",
        );
        // the user logs in afterwards: Prosody's offline storage hands them over
        user = new User(prosody.c2sPort, "2001", "pw1");
        await user.start();
        await waitUntil(
          () => user.stanzas.filter(isMsg("chat")).length >= 12,
          WAIT,
          "12 messages",
        );
        await new Promise((r) => setTimeout(r, 500)); // a 13th would show up now
        const got = user.stanzas.filter(isMsg("chat"));
        assertEquals(
          got.map((m) => m.getChildText("body")),
          Array.from({ length: 12 }, (_, i) => `queued ${i + 1}`),
        );
        for (const m of got) {
          const stamps = m.getChildren("delay", "urn:xmpp:delay").filter((d) =>
            d.attrs.from === COMPONENT
          );
          assertEquals(stamps.length, 1);
          const t = Date.parse(stamps[0].attrs.stamp!);
          assert(
            t >= before - 1000 && t <= Date.now(),
            `stamp ${stamps[0].attrs.stamp}`,
          );
        }
        assert(
          logs.some((l) =>
            l.includes("XMPP: connection to") && l.includes("lost")
          ),
          "drop logged",
        );
      } finally {
        await user.stop();
        await x.stop();
      }
    });
  },
);

Deno.test(
  "xmpp: own line answers status and help, queues USSD, and shows presence while the line is online",
  OPTS,
  async () => {
    await world(async ({ prosody, store, hub, config }) => {
      await store.addGateway({ ext: "2001", goipPass: "pw" });
      await store.saveLineState(line("goippy_2001", "2001", "3725550000"));
      const x = startXmpp({
        config,
        store,
        hub,
        log: createLogger({ level: "error", journald: false, write: () => {} }),
      });
      const user = new User(prosody.c2sPort, "2001", "pw1");
      const own = `+3725550000@${COMPONENT}`;
      try {
        await waitUntil(
          () => x.state() === "connected",
          WAIT,
          "component connected",
        );
        await user.start();
        // subscription approved: the roster shows it
        await user.send(xml("presence", { type: "subscribe", to: own }));
        const push = await user.waitFor(
          (s) =>
            s.name === "iq" && s.attrs.type === "set" &&
            s.getChild("query", "jabber:iq:roster")?.getChild("item")?.attrs
                .subscription === "to",
          "roster push subscription=to",
        );
        assertEquals(push.getChild("query")!.getChild("item")!.attrs.jid, own);
        const avail = await user.waitFor(
          (s) =>
            s.name === "presence" && s.attrs.from === own &&
            s.attrs.type === undefined,
          "own line available",
        );
        assertEquals(avail.getChildText("status"), "signal 23/31, EMT");

        await user.send(
          xml(
            "message",
            { type: "chat", to: own, id: "s1" },
            xml("body", {}, " Status "),
          ),
        );
        const status = await user.waitFor(
          (s) =>
            isMsg("chat")(s) && s.attrs.from === own &&
            !!s.getChildText("body")?.startsWith("Line"),
          "status answer",
        );
        const text = status.getChildText("body")!;
        assert(
          text.includes(
            "Line +3725550000 (ext 2001, GoIP goippy_2001): online",
          ),
          text,
        );
        assert(
          text.includes("Signal: 23/31") && text.includes("Operator: EMT"),
          text,
        );
        assert(text.includes("Queued: nothing waiting"), text);

        await user.send(
          xml(
            "message",
            { type: "chat", to: own, id: "h1" },
            xml("body", {}, "help"),
          ),
        );
        const help = await user.waitFor(
          (s) =>
            isMsg("chat")(s) && !!s.getChildText("body")?.startsWith("goippy:"),
          "help answer",
        );
        assert(help.getChildText("body")!.includes(`*100# here (${own})`));

        await user.send(
          xml(
            "message",
            { type: "chat", to: own, id: "u1" },
            xml("body", {}, "*100#"),
          ),
        );
        await waitUntil(
          async () => !!(await store.nextQueued("goippy_2001")),
          WAIT,
          "USSD row",
        );
        const row = (await store.nextQueued("goippy_2001"))!;
        assertEquals(
          [row.kind, row.body, row.number, row.toJid, row.stanzaId],
          ["ussd", "*100#", "", own, "u1"],
        );

        // line goes silent, then comes back with a new signal
        const n = user.stanzas.length;
        hub.emit("lineOffline", { goipId: "goippy_2001", ext: "2001" });
        await user.waitFor(
          (s) =>
            user.stanzas.indexOf(s) >= n && s.name === "presence" &&
            s.attrs.from === own && s.attrs.type === "unavailable",
          "own line unavailable",
        );
        hub.emit("line", {
          state: {
            ...line("goippy_2001", "2001", "3725550000"),
            signal: 17,
            provider: "Elisa",
          },
          cameOnline: true,
        });
        const back = await user.waitFor(
          (s) =>
            s.name === "presence" && s.attrs.from === own &&
            s.getChildText("status") === "signal 17/31, Elisa",
          "own line back",
        );
        assertEquals(back.attrs.type, undefined);
      } finally {
        await user.stop();
        await x.stop();
      }
    });
  },
);

Deno.test(
  "xmpp: disco, ping, version and gateway IQs are answered; an unknown IQ gets service-unavailable",
  OPTS,
  async () => {
    await world(async ({ prosody, store, hub, config }) => {
      const x = startXmpp({
        config,
        store,
        hub,
        log: createLogger({ level: "error", journald: false, write: () => {} }),
      });
      const user = new User(prosody.c2sPort, "2001", "pw1");
      try {
        await waitUntil(
          () => x.state() === "connected",
          WAIT,
          "component connected",
        );
        await user.start();
        const ask = async (
          id: string,
          type: string,
          payload: XmlElement,
          to = COMPONENT,
        ) => {
          await user.send(xml("iq", { type, id, to }, payload));
          return await user.waitFor(
            (s) => s.name === "iq" && s.attrs.id === id,
            `iq ${id}`,
          );
        };
        const info = await ask(
          "d1",
          "get",
          xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
        );
        assertEquals(info.attrs.type, "result");
        const identity = info.getChild("query")!.getChild("identity")!;
        assertEquals([
          identity.attrs.category,
          identity.attrs.type,
          identity.attrs.name,
        ], ["gateway", "sms", "goippy"]);
        const features = info.getChild("query")!.getChildren("feature").map((
          f,
        ) => f.attrs.var);
        for (
          const f of [
            "http://jabber.org/protocol/disco#info",
            "urn:xmpp:ping",
            "jabber:iq:version",
            "jabber:iq:gateway",
            "urn:xmpp:receipts",
          ]
        ) {
          assert(features.includes(f), f);
        }
        assertEquals(
          (await ask("p1", "get", xml("ping", { xmlns: "urn:xmpp:ping" })))
            .attrs.type,
          "result",
        );
        const version = await ask(
          "v1",
          "get",
          xml("query", { xmlns: "jabber:iq:version" }),
        );
        assertEquals(version.getChild("query")!.getChildText("name"), "goippy");
        assert(
          /^\d+\.\d+\.\d+/.test(
            version.getChild("query")!.getChildText("version") ?? "",
          ),
        );
        const prompt = await ask(
          "g1",
          "get",
          xml("query", { xmlns: "jabber:iq:gateway" }),
        );
        assertEquals(
          prompt.getChild("query")!.getChildText("prompt"),
          "Phone number",
        );
        const jid = await ask(
          "g2",
          "set",
          xml(
            "query",
            { xmlns: "jabber:iq:gateway" },
            xml("prompt", {}, "+372 5555 1234"),
          ),
        );
        assertEquals(
          jid.getChild("query")!.getChildText("jid"),
          `+37255551234@${COMPONENT}`,
        );
        for (
          const [id, type, ns] of [["x1", "get", "jabber:iq:roster"], [
            "x2",
            "set",
            "urn:example:nothing",
          ], ["x3", "get", "vcard-temp"]]
        ) {
          const r = await ask(id, type, xml("query", { xmlns: ns }));
          assertEquals([id, r.attrs.type, errCondition(r)], [
            id,
            "error",
            "service-unavailable",
          ]);
        }
        // exactly one answer per IQ
        await new Promise((r) => setTimeout(r, 300));
        assertEquals(
          user.stanzas.filter((s) => s.name === "iq" && s.attrs.id === "x1")
            .length,
          1,
        );
      } finally {
        await user.stop();
        await x.stop();
      }
    });
  },
);

Deno.test(
  "xmpp: a wrong component secret is logged as exactly that",
  OPTS,
  async () => {
    await world(async ({ store, hub, config, logs }) => {
      const x = startXmpp({
        config,
        store,
        hub,
        log: createLogger({
          level: "debug",
          journald: false,
          write: (l) => logs.push(l),
        }),
      });
      try {
        await waitUntil(
          () => logs.some((l) => l.includes("component secret rejected by")),
          WAIT,
          "rejection logged",
        );
        assertEquals(x.state(), "connecting");
        const line = logs.find((l) =>
          l.includes("component secret rejected by")
        )!;
        assert(
          line.includes(
            `ERROR component secret rejected by 127.0.0.1:${config.XMPP_PORT}`,
          ),
          line,
        );
        assert(
          !logs.some((l) => l.includes("cannot connect")),
          "not reported as a network error",
        );
      } finally {
        await x.stop();
      }
    }, "wrong-secret");
  },
);

Deno.test("xmpp: XMPP off when XMPP_COMPONENT_JID is empty", async () => {
  const logs: string[] = [];
  const x = startXmpp({
    config: { ...defaultConfig(), XMPP_COMPONENT_JID: "" },
    store: {} as Store,
    hub: new Hub(),
    log: createLogger({
      level: "info",
      journald: false,
      write: (l) => logs.push(l),
    }),
  });
  assertEquals(x.state(), "off");
  await x.stop();
  assert(logs.some((l) => l.includes("XMPP: off")));
});

Deno.test(
  "xmpp: the ping watchdog drops a frozen server; unconfirmed messages are sent again, never lost",
  OPTS,
  async () => {
    await world(async ({ prosody, store, hub, config, logs }) => {
      const x = startXmpp({
        config,
        store,
        hub,
        log: createLogger({
          level: "debug",
          journald: false,
          write: (l) => logs.push(l),
        }),
        timing: {
          pingIntervalMs: 1000,
          pingTimeoutMs: 1500,
          minDelayMs: 200,
          pollMs: 500,
        },
      });
      let user: User | null = null;
      try {
        await waitUntil(
          () => x.state() === "connected",
          WAIT,
          "component connected",
        );
        prosody.signal("SIGSTOP");
        await store.enqueueInbox({
          kind: "chat",
          fromJid: "+3725551234@sms.example.org",
          toJid: "2001@example.org",
          body: "sent into a frozen server",
          refId: "",
          goipId: "goippy_2001",
        });
        hub.emit("inbox", undefined);
        await waitUntil(
          () => logs.some((l) => l.includes("did not answer a ping")),
          WAIT,
          "watchdog fired",
        );
        await waitUntil(() => x.state() === "connecting", WAIT, "link dropped");
        assertEquals((await store.pendingInbox(10)).length, 1);
        prosody.signal("SIGCONT");
        await waitUntil(() => x.state() === "connected", 30_000, "reconnected");
        await waitUntil(
          async () => (await store.pendingInbox(10)).length === 0,
          WAIT,
          "inbox done",
        );
        user = new User(prosody.c2sPort, "2001", "pw1");
        await user.start();
        const m = await user.waitFor(isMsg("chat"), "the message");
        assertEquals(m.getChildText("body"), "sent into a frozen server");
        // at least once: any copy carries the same id, so clients can dedupe
        await new Promise((r) => setTimeout(r, 300));
        const ids = new Set(
          user.stanzas.filter(isMsg("chat")).map((s) => s.attrs.id),
        );
        assertEquals(ids.size, 1);
      } finally {
        prosody.signal("SIGCONT");
        await user?.stop();
        await x.stop();
      }
    });
  },
);
