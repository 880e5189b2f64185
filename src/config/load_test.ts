import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
  rejects as assertRejects,
  throws as assertThrows,
} from "node:assert/strict";
import {
  ConfigError,
  defaultConfig,
  loadConfig,
  parseConfigText,
} from "./load.ts";

const testdata = (name: string) =>
  new URL(`./testdata/${name}`, import.meta.url).pathname;

Deno.test("the seed README's Python-style example loads unchanged", async () => {
  const { config } = await loadConfig({ path: testdata("seed_example.conf") });
  assertEquals(config, {
    ...defaultConfig(),
    sourcePath: testdata("seed_example.conf"),
    DB_BACKEND: "mysql",
    DB_HOST: "127.0.0.1",
    DB_USER: "goippy",
    DB_PASS: "pass_goippy",
    DB_NAME: "messaging",
    DB_PORT: 3306,
    GOIP_UDP_BIND: "0.0.0.0",
    GOIP_UDP_PORT: 44444,
    LOG_TO_STDOUT: true,
  });
});

Deno.test("a TOML file setting every key", async () => {
  const { config, notes } = await loadConfig({ path: testdata("full.toml") });
  assertEquals(notes, []);
  assertEquals(config, {
    sourcePath: testdata("full.toml"),
    DB_BACKEND: "mysql",
    DB_HOST: "db.example.org",
    DB_PORT: 3307,
    DB_USER: "u",
    DB_PASS: "p@ss w0rd",
    DB_NAME: "messaging",
    SQLITE_PATH: "/var/lib/goippy/x.sqlite3",
    GOIP_UDP_BIND: "::",
    GOIP_UDP_PORT: 9991,
    GOIP_PIN_ADDRESS: false,
    GOIP_ALLOW_SOURCES: ["192.168.1.0/24", "10.0.0.7", "2001:db8::/32"],
    GOIP_OFFLINE_AFTER: 120,
    RECEIVE_DEDUPE_MINUTES: 0,
    SPOOL_PATH: "/var/lib/goippy/spool.sqlite3",
    SPOOL_MAX_MB: 8,
    GOIP_AUTH_FAIL_LIMIT: 20,
    LOG_TO_STDOUT: false,
    LOG_LEVEL: "debug",
    LOG_RETENTION_DAYS: 30,
    XMPP_HOST: "xmpp.example.org",
    XMPP_PORT: 5275,
    XMPP_DOMAIN: "example.org",
    XMPP_COMPONENT_JID: "sms.example.org",
    XMPP_COMPONENT_SECRET: "s3cret",
    REGISTRATION: true,
    SMS_SEND_MODE: "msg",
    QUEUE_TTL: 3600,
    USSD_TTL: 45,
    CALL_NOTIFY: false,
    SEND_INTERVAL: 5,
    SEND_JITTER: 2,
    SEND_LIMIT_HOUR: 30,
    SEND_LIMIT_DAY: 200,
    SEND_LIMIT_RECIPIENTS_MONTH: 100,
    ADMIN_JIDS: ["admin@example.org", "ops@example.net"],
    ALERTS: ["line", "stuck"],
    ALERT_LINE_AFTER: 300,
    ALERT_STUCK_MINUTES: 30,
    METRICS_BIND: "127.0.0.1:9464",
    API_BIND: "127.0.0.1:8080",
    API_RATE_PER_MIN: 120,
    WEBHOOKS: [{
      url: "https://shop.example.org/hook",
      events: ["sms.received", "sms.delivered"],
      secret: "k3y",
    }],
    WEBHOOK_RETRY_HOURS: 12,
    INSTANCE_ID: "gw-a",
    INSTANCE_DEAD_AFTER: 30,
  });
});

Deno.test("the original goippy's key names are aliases", async () => {
  const { config, notes } = await loadConfig({
    path: testdata("python_aliases.conf"),
  });
  assertEquals(config.SQLITE_PATH, "/tmp/old.sqlite3");
  assertEquals(config.DB_NAME, "legacy");
  assertEquals(config.GOIP_UDP_BIND, "127.0.0.1");
  assertEquals(config.GOIP_UDP_PORT, 44445);
  assertEquals(config.XMPP_COMPONENT_JID, "data.example.org");
  assertEquals(
    config.XMPP_COMPONENT_SECRET,
    "True # not a comment, not a boolean",
  );
  assertEquals(config.LOG_RETENTION_DAYS, 7);
  assertEquals(config.LOG_TO_STDOUT, false);
  assertEquals(config.CALL_NOTIFY, true);
  assertEquals(config.METRICS_BIND, "", "None keeps the default");
  assertEquals(config.XMPP_DOMAIN, "example.org", "derived from the component");
  assert(notes.some((n) => n.includes("XMPP_DOMAIN not set")), notes.join());
});

Deno.test("small conveniences", () => {
  const cases: [string, Partial<Record<string, unknown>>][] = [
    ["", {}],
    ["\uFEFFLOG_LEVEL = 'warn'\r\n", { LOG_LEVEL: "warn" }],
    ['GOIP_ALLOW_SOURCES = "10.0.0.0/8, 192.168.0.1"', {
      GOIP_ALLOW_SOURCES: ["10.0.0.0/8", "192.168.0.1"],
    }],
    ["METRICS_BIND = '[::1]:9464'", { METRICS_BIND: "[::1]:9464" }],
    ["METRICS_BIND = 'localhost:80'", { METRICS_BIND: "localhost:80" }],
    ["DB_HOST = 'db1,db2:3307'", { DB_HOST: "db1,db2:3307" }],
    ["DB_HOST = '10.0.0.1, [::1]:3306'", { DB_HOST: "10.0.0.1, [::1]:3306" }],
    ["GOIP_UDP_BIND = '127.0.0.1'  # loopback only", {
      GOIP_UDP_BIND: "127.0.0.1",
    }],
  ];
  for (const [text, want] of cases) {
    const got = parseConfigText(text) as unknown as Record<string, unknown>;
    assertEquals(got, { ...defaultConfig(), ...want }, text);
  }
});

/** [config text, key the error names, line it names (0 = none), message part]. */
const BAD: [string, string, number, RegExp][] = [
  [
    'LOG_LEVEL = "info\nDB_PASS = "x"',
    "LOG_LEVEL",
    1,
    /^config: line 1 \(LOG_LEVEL\): the string is not closed: add the closing quote/,
  ],
  [
    "DB_PASS = 'abc",
    "DB_PASS",
    1,
    /line 1 \(DB_PASS\): the string is not closed/,
  ],
  [
    'DB_PASS = "a\u0001b"',
    "DB_PASS",
    1,
    /line 1 \(DB_PASS\): a control character \(U\+0001\) is inside the string/,
  ],
  [
    "DB_PASS = 'a'\n\nLOG_LEVEL = 'info'\r\nDB_PASS = 'b'",
    "DB_PASS",
    4,
    /^config: line 4 \(DB_PASS\): set twice, on lines 1 and 4; keep one$/,
  ],
  ["DB_BACKEND = 'sqlite'\nFOO = 1", "FOO", 2, /unknown key FOO \(line 2\)/],
  ["log_level = 'info'", "log_level", 1, /did you mean LOG_LEVEL/],
  ["GOIP_UDP_PORT = '44444'", "GOIP_UDP_PORT", 1, /must be a whole number/],
  ["GOIP_UDP_PORT = 70000", "GOIP_UDP_PORT", 1, /port number 1…65535/],
  ["\n\nGOIP_PORT = 0", "GOIP_PORT", 3, /GOIP_PORT \(line 3\).*port/],
  ["DB_PORT = 3306.5", "DB_PORT", 1, /whole number/],
  ["GOIP_UDP_BIND = '300.1.1.1'", "GOIP_UDP_BIND", 1, /IP address/],
  ["GOIP_UDP_BIND = 'any'", "GOIP_UDP_BIND", 1, /IP address/],
  [
    "GOIP_ALLOW_SOURCES = ['10.0.0.0/33']",
    "GOIP_ALLOW_SOURCES",
    1,
    /"10.0.0.0\/33" is not a CIDR/,
  ],
  ["GOIP_ALLOW_SOURCES = [1]", "GOIP_ALLOW_SOURCES", 1, /list of strings/],
  ["DB_BACKEND = 'postgres'", "DB_BACKEND", 1, /"sqlite", "mysql"/],
  ["LOG_LEVEL = 'trace'", "LOG_LEVEL", 1, /"error", "warn", "info", "debug"/],
  ["SMS_SEND_MODE = 'smpp'", "SMS_SEND_MODE", 1, /"sms", "msg"/],
  ["LOG_TO_STDOUT = 'yes'", "LOG_TO_STDOUT", 1, /true or false/],
  ["LOG_TO_STDOUT = 1", "LOG_TO_STDOUT", 1, /true or false/],
  ["QUEUE_TTL = 0", "QUEUE_TTL", 1, /at least 1/],
  ["USSD_TTL = 0", "USSD_TTL", 1, /at least 1/],
  ["LOG_DAYS = -1", "LOG_DAYS", 1, /LOG_DAYS \(line 1\) must be at least 0/],
  ["SQLITE_PATH = ''", "SQLITE_PATH", 1, /must not be empty/],
  ["METRICS_BIND = '9464'", "METRICS_BIND", 1, /host:port/],
  ["API_BIND = '8080'", "API_BIND", 1, /host:port/],
  [
    "WEBHOOKS = [{ url = 'ftp://x', events = ['sms.sent'], secret = 's' }]",
    "WEBHOOKS",
    1,
    /http:\/\//,
  ],
  [
    "WEBHOOKS = [{ url = 'http://x', events = ['sms.lost'], secret = 's' }]",
    "WEBHOOKS",
    1,
    /events of http:\/\/x must be some of sms.received/,
  ],
  ["WEBHOOKS = [{ url = 'http://x' }]", "WEBHOOKS", 1, /list of tables/],
  ["METRICS_BIND = '127.0.0.1:0'", "METRICS_BIND", 1, /port number/],
  ["INSTANCE_DEAD_AFTER = 2", "INSTANCE_DEAD_AFTER", 1, /at least 3/],
  [
    "XMPP_COMPONENT_JID = 'sms@example.org'\nXMPP_COMPONENT_SECRET = 's'",
    "XMPP_COMPONENT_JID",
    1,
    /domain name/,
  ],
  [
    "LOG_LEVEL = 'info'\nXMPP_COMPONENT_JID = 'sms.example.org'",
    "XMPP_COMPONENT_SECRET",
    2,
    /XMPP_COMPONENT_JID \(line 2\) is set but XMPP_COMPONENT_SECRET is empty/,
  ],
  [
    "XMPP_COMPONENT_JID = 'sms'\nXMPP_COMPONENT_SECRET = 's'",
    "XMPP_DOMAIN",
    1,
    /set XMPP_DOMAIN/,
  ],
  [
    "XMPP_DOMAIN = 'a.org'\nXMPP_COMPONENT_JID = 'a.org'\nXMPP_COMPONENT_SECRET = 's'",
    "XMPP_DOMAIN",
    1,
    /must differ/,
  ],
  [
    "GOIP_PORT = 1\nGOIP_UDP_PORT = 2",
    "GOIP_UDP_PORT",
    2,
    /GOIP_UDP_PORT \(line 2\) and GOIP_PORT \(line 1\) both set GOIP_UDP_PORT/,
  ],
  ["LOG_LEVEL = 'info'\nLOG_LEVEL = 'debug'", "LOG_LEVEL", 2, /line 2/],
  ["DB_HOST = 'x\nDB_PORT = 1", "DB_HOST", 1, /line 1 \(DB_HOST\)/],
  ["DB_HOST 'x'", "DB_HOST", 1, /line 1/],
  [
    "DB_HOST = 'db1;db2'",
    "DB_HOST",
    1,
    /comma-separated list of host\[:port\]/,
  ],
  ["[xmpp]\nport = 1", "xmpp", 0, /unknown key xmpp/],
  ["DB_PASS = None + 1", "DB_PASS", 1, /line 1 \(DB_PASS\)/],
  ["A = 1\0", "", 0, /not a text file/],
];

Deno.test("every bad config is one ConfigError naming the key and line", () => {
  for (const [text, key, line, message] of BAD) {
    assertThrows(() => parseConfigText(text), (e: Error) => {
      assert(e instanceof ConfigError, `${text}: ${e}`);
      assertMatch(e.message, message, text);
      assertEquals([e.key, e.line], [key, line], `${text}: ${e.message}`);
      return true;
    });
  }
});

Deno.test("an explicitly named missing file is an error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => loadConfig({ path: `${dir}/nope.conf`, env: {} }),
      (e: Error) =>
        e instanceof ConfigError && /nope\.conf: no such file/.test(e.message),
    );
    await assertRejects(
      () => loadConfig({ env: { GOIPPY_CONFIG: `${dir}/env.conf` } }),
      (e: Error) => /env\.conf: no such file/.test(e.message),
    );
    await assertRejects(
      () => loadConfig({ path: dir, env: {} }),
      (e: Error) => /is a directory/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing default file means defaults and one note", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { config, notes } = await loadConfig({ env: { GOIPPY_ROOT: dir } });
    assertEquals(config, defaultConfig());
    assertEquals(notes, [
      `no config file at ${dir}/etc/goippy.conf: running on built-in defaults`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the default file under GOIPPY_ROOT, GOIPPY_CONFIG, --config win in order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/etc`);
    const write = (name: string, port: number) =>
      Deno.writeTextFile(`${dir}/${name}`, `GOIP_UDP_PORT = ${port}\n`, {
        mode: 0o600,
      });
    await write("etc/goippy.conf", 1001);
    await write("env.conf", 1002);
    await write("cli.conf", 1003);
    const env = { GOIPPY_ROOT: `${dir}/` };
    const port = async (opts: Parameters<typeof loadConfig>[0]) =>
      (await loadConfig(opts)).config.GOIP_UDP_PORT;
    assertEquals(await port({ env }), 1001);
    const env2 = { ...env, GOIPPY_CONFIG: `${dir}/env.conf` };
    assertEquals(await port({ env: env2 }), 1002);
    assertEquals(await port({ env: env2, path: `${dir}/cli.conf` }), 1003);
    const { config, notes, warnings } = await loadConfig({ env });
    assertEquals(config.sourcePath, `${dir}/etc/goippy.conf`);
    assertEquals([notes, warnings], [[], []], "mode 0600 gives no warning");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a config readable by others gives a warning", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/goippy.conf`;
    await Deno.writeTextFile(path, "DB_PASS = 'x'\n");
    await Deno.chmod(path, 0o644);
    const { notes, warnings } = await loadConfig({ path });
    assertEquals([notes.length, warnings.length], [0, 1]);
    assertMatch(
      warnings[0],
      /readable by group\/others \(mode 0644\).*chmod 600/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
