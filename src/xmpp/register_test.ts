import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultConfig } from "../config/defaults.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import type { Store } from "../store/types.ts";
import { iqRoutes } from "./iq.ts";
import { lineUserJid, userLine } from "./line_jid.ts";
import { FailureLimiter, registerRoutes } from "./register.ts";
import { xml, type XmlElement } from "./xml.ts";

const NS = "jabber:iq:register";

Deno.test("FailureLimiter: five wrong passwords per JID in ten minutes", () => {
  const l = new FailureLimiter(5, 600_000);
  const cases: [string, () => void, string, boolean][] = [];
  for (let i = 0; i < 5; i++) {
    cases.push([`try ${i + 1}`, () => l.failed("a@x", 1000 + i), "a@x", true]);
  }
  const checks: [string, number, string, boolean][] = [
    ["the 6th within the window", 2000, "a@x", false],
    ["another JID is not affected", 2000, "b@x", true],
    ["just before the first failure ages out", 600_999, "a@x", false],
    ["after the window", 601_005, "a@x", true],
  ];
  for (const [what, act, jid, ok] of cases) {
    assertEquals(l.allowed(jid, 1000), ok, what);
    act();
  }
  for (const [what, now, jid, ok] of checks) {
    assertEquals(l.allowed(jid, now), ok, what);
  }
});

/** A migrated store with lines 2001 (pw "secret") and 2002 (pw "other"). */
async function withStore(fn: (s: Store) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-register-" });
  const store = openSqliteStore(`${dir}/db.sqlite3`);
  try {
    await store.migrate();
    await store.addGateway({ ext: "2001", goipPass: "secret" });
    await store.addGateway({ ext: "2002", goipPass: "other" });
    await fn(store);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function iq(type: string, from: string, ...kids: XmlElement[]): XmlElement {
  return xml(
    "iq",
    { type, id: "r1", from, to: "sms.example.org" },
    xml("query", { xmlns: NS }, ...kids),
  );
}
const cred = (user: string, pass: string) => [
  xml("username", {}, user),
  xml("password", {}, pass),
];

Deno.test("register: the exchange a user sees, step by step", async () => {
  await withStore(async (store) => {
    let registration = true;
    const config = () => ({
      ...defaultConfig(),
      XMPP_DOMAIN: "example.org",
      XMPP_COMPONENT_JID: "sms.example.org",
      REGISTRATION: registration,
    });
    const routes = registerRoutes({
      config,
      store,
      limiter: new FailureLimiter(2, 600_000),
      now: () => 5000,
    });
    const ask = async (req: XmlElement) => {
      const q = req.getChild("query")!;
      const r = routes.find((r) => r.type === req.attrs.type)!;
      const reply = await r.answer(req, q);
      return reply === true ? "ok" : reply?.toString() ?? null;
    };
    const form = (registered: string) =>
      `<query xmlns="${NS}"><instructions>Enter the line's ext as username and its GoIP password (the GoIP's "ID for SMS" password) to receive and send that line's SMS at this account.</instructions>${registered}<password/></query>`;
    const error = (type: string, cond: string, text: string) =>
      `<error type="${type}"><${cond} xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">${text}</text></error>`;
    const alice = "Alice@example.org/phone";
    /** [what, request, answer, then 2001's owner, then 2002's owner] */
    const cases: [string, XmlElement, string | null, string?, string?][] = [
      [
        "get before registering",
        iq("get", alice),
        form("<username/>"),
      ],
      [
        "another domain",
        iq("set", "eve@evil.org/x", ...cred("2001", "secret")),
        error(
          "cancel",
          "forbidden",
          "goippy serves the users of example.org only.",
        ),
      ],
      [
        "missing password",
        iq("set", alice, xml("username", {}, "2001")),
        error(
          "modify",
          "not-acceptable",
          "Give the line's ext as username and its GoIP password.",
        ),
      ],
      [
        "wrong password",
        iq("set", alice, ...cred("2001", "nope")),
        error("auth", "not-authorized", "Wrong line or password."),
      ],
      [
        "unknown line counts as wrong too",
        iq("set", alice, ...cred("9999", "secret")),
        error("auth", "not-authorized", "Wrong line or password."),
      ],
      [
        "limit reached: even the right password waits",
        iq("set", alice, ...cred("2001", "secret")),
        error(
          "wait",
          "resource-constraint",
          "Too many wrong passwords; try again in a few minutes.",
        ),
      ],
      [
        "bob is not limited by alice's failures",
        iq("set", "bob@example.org/pc", ...cred("2001", "secret")),
        "ok",
        "bob@example.org",
      ],
      [
        "bob sees his line",
        iq("get", "bob@example.org/other"),
        form("<registered/><username>2001</username>"),
        "bob@example.org",
      ],
      [
        "bob moves to 2002: 2001 is free again",
        iq("set", "bob@example.org/pc", ...cred("2002", "other")),
        "ok",
        undefined,
        "bob@example.org",
      ],
      [
        "bob unregisters",
        iq("set", "bob@example.org/pc", xml("remove", {})),
        "ok",
        undefined,
      ],
      [
        "unregister again",
        iq("set", "bob@example.org/pc", xml("remove", {})),
        error("auth", "registration-required", "No line is registered."),
        undefined,
      ],
    ];
    for (const [what, req, want, owner2001, owner2002] of cases) {
      assertEquals(await ask(req), want, what);
      const owners = [
        (await store.gatewayByExt("2001"))?.xmppJid,
        (await store.gatewayByExt("2002"))?.xmppJid,
      ];
      assertEquals(owners, [owner2001, owner2002], what);
    }
    registration = false;
    assertEquals(
      await ask(iq("get", alice)),
      error("cancel", "service-unavailable", "Registration is off."),
      "off",
    );
  });
});

Deno.test("line ↔ user JID: registered lines follow their JID only", async () => {
  await withStore(async (store) => {
    await store.setGatewayJid("2001", "carol@example.org");
    const g2001 = (await store.gatewayByExt("2001"))!;
    const g2002 = (await store.gatewayByExt("2002"))!;
    assertEquals(lineUserJid(g2001, "example.org"), "carol@example.org");
    assertEquals(lineUserJid(g2002, "example.org"), "2002@example.org");
    const cases: [string, string | undefined][] = [
      ["carol@example.org/pc", "2001"],
      ["Carol@Example.org", "2001"],
      ["2001@example.org/pc", undefined],
      ["2002@example.org/pc", "2002"],
      ["2002@other.org/pc", undefined],
      ["dave@example.org", undefined],
    ];
    for (const [jid, ext] of cases) {
      assertEquals(
        (await userLine(store, jid, "example.org"))?.ext,
        ext,
        jid,
      );
    }
  });
});

Deno.test("disco#info lists jabber:iq:register only while registration is on", async () => {
  for (const on of [false, true]) {
    const route = iqRoutes({
      componentJid: "sms.example.org",
      version: "1",
      os: "linux",
      registration: () => on,
    }).find((r) => r.ns === "http://jabber.org/protocol/disco#info")!;
    const req = xml(
      "iq",
      { type: "get", to: "sms.example.org" },
      xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
    );
    const reply = await route.answer(req, req.getChild("query")!);
    assertEquals(
      (reply as XmlElement).toString().includes(`var="${NS}"`),
      on,
    );
  }
});
