/**
 * Every config key: its type, its check, its aliases. Pure; `load.ts` feeds
 * it the parsed TOML.
 *
 * @module
 */

import { type Config, type Webhook, WEBHOOK_EVENTS } from "./types.ts";
import { defaultConfig } from "./defaults.ts";
import { ConfigError } from "./error.ts";
import { isIpAddress, parseCidr } from "./cidr.ts";

/** The keys a config file may set. */
export type ConfigKey = Exclude<keyof Config, "sourcePath">;

type Kind = "string" | "int" | "bool" | "strings" | "webhooks";

interface KeySpec {
  kind: Kind;
  /** Returns a problem text, or undefined when the value is fine. */
  check?: (value: never) => string | undefined;
}

const port = (v: number) =>
  v >= 1 && v <= 65535 ? undefined : "must be a port number 1…65535";
const atLeast = (min: number) => (v: number) =>
  v >= min ? undefined : `must be at least ${min}`;
const oneOf = (...allowed: string[]) => (v: string) =>
  allowed.includes(v)
    ? undefined
    : `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
const nonEmpty = (v: string) => v !== "" ? undefined : "must not be empty";
const hostName = (v: string) =>
  /^[A-Za-z0-9.:_-]+$/.test(v) ? undefined : "must be a host name or address";
const domain = (v: string) =>
  v === "" ||
    /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/
      .test(v)
    ? undefined
    : "must be a domain name such as sms.example.org (no @ or /)";

/** "" (off) or `host:port` with an IP address or localhost. */
function bindOrOff(v: string): string | undefined {
  if (v === "") return undefined;
  const m = /^(.+):(\d{1,5})$/.exec(v);
  const host = m?.[1].replace(/^\[(.*)\]$/, "$1") ?? "";
  if (!m || !(isIpAddress(host) || host === "localhost")) {
    return 'must be "" (off) or host:port such as 127.0.0.1:8080';
  }
  return port(Number(m[2]));
}

/** What is wrong with a WEBHOOKS list, or undefined. */
function webhooksProblem(list: Webhook[]): string | undefined {
  for (const w of list) {
    if (!/^https?:\/\/[^\s/]+/.test(w.url)) {
      return `url ${JSON.stringify(w.url)} must start with http:// or https://`;
    }
    if (w.secret === "") return `secret of ${w.url} must not be empty`;
    const bad = w.events.find((e) => e !== "*" && !WEBHOOK_EVENTS.includes(e));
    if (bad !== undefined || w.events.length === 0) {
      return `events of ${w.url} must be some of ${
        WEBHOOK_EVENTS.join(", ")
      } (or "*")`;
    }
  }
  const urls = list.map((w) => w.url);
  const twice = urls.find((u, i) => urls.indexOf(u) !== i);
  return twice ? `url ${twice} is listed twice` : undefined;
}
/** The alerts `ALERTS` may name. */
export const ALERT_KINDS: readonly string[] = ["line", "auth", "stuck"];

/** Types and checks of every key, in the order `--check` prints them. */
export const KEYS: Record<ConfigKey, KeySpec> = {
  DB_BACKEND: { kind: "string", check: oneOf("sqlite", "mysql") },
  DB_HOST: {
    kind: "string",
    // One server or a list tried in order: `db1,db2:3307,[::1]:3306`.
    check: (v: string) =>
      v.split(",").every((h) => /^\[?[A-Za-z0-9.:_\]-]+$/.test(h.trim()))
        ? undefined
        : "must be a host name or address, or a comma-separated list of host[:port]",
  },
  DB_PORT: { kind: "int", check: port },
  DB_USER: { kind: "string" },
  DB_PASS: { kind: "string" },
  DB_NAME: { kind: "string", check: nonEmpty },
  SQLITE_PATH: { kind: "string", check: nonEmpty },
  GOIP_UDP_BIND: {
    kind: "string",
    check: (v: string) =>
      isIpAddress(v) ? undefined : "must be an IP address such as 0.0.0.0",
  },
  GOIP_UDP_PORT: { kind: "int", check: port },
  GOIP_PIN_ADDRESS: { kind: "bool" },
  GOIP_ALLOW_SOURCES: {
    kind: "strings",
    check: (v: string[]) => {
      const bad = v.find((c) => !parseCidr(c));
      return bad === undefined
        ? undefined
        : `"${bad}" is not a CIDR range such as 192.168.1.0/24`;
    },
  },
  GOIP_OFFLINE_AFTER: { kind: "int", check: atLeast(1) },
  RECEIVE_DEDUPE_MINUTES: { kind: "int", check: atLeast(0) },
  SPOOL_PATH: { kind: "string" },
  SPOOL_MAX_MB: { kind: "int", check: atLeast(0) },
  GOIP_AUTH_FAIL_LIMIT: { kind: "int", check: atLeast(0) },
  LOG_TO_STDOUT: { kind: "bool" },
  LOG_LEVEL: { kind: "string", check: oneOf("error", "warn", "info", "debug") },
  LOG_RETENTION_DAYS: { kind: "int", check: atLeast(0) },
  XMPP_HOST: { kind: "string", check: hostName },
  XMPP_PORT: { kind: "int", check: port },
  XMPP_DOMAIN: { kind: "string", check: domain },
  XMPP_COMPONENT_JID: { kind: "string", check: domain },
  XMPP_COMPONENT_SECRET: { kind: "string" },
  REGISTRATION: { kind: "bool" },
  SMS_SEND_MODE: { kind: "string", check: oneOf("sms", "msg") },
  QUEUE_TTL: { kind: "int", check: atLeast(1) },
  USSD_TTL: { kind: "int", check: atLeast(1) },
  CALL_NOTIFY: { kind: "bool" },
  SEND_INTERVAL: { kind: "int", check: atLeast(0) },
  SEND_JITTER: { kind: "int", check: atLeast(0) },
  SEND_LIMIT_HOUR: { kind: "int", check: atLeast(0) },
  SEND_LIMIT_DAY: { kind: "int", check: atLeast(0) },
  SEND_LIMIT_RECIPIENTS_MONTH: { kind: "int", check: atLeast(0) },
  ADMIN_JIDS: {
    kind: "strings",
    check: (v: string[]) => {
      const bad = v.find((j) => !/^[^@/\s]+@[^@/\s]+$/.test(j));
      return bad === undefined
        ? undefined
        : `"${bad}" is not a bare JID such as admin@example.org`;
    },
  },
  ALERTS: {
    kind: "strings",
    check: (v: string[]) => {
      const bad = v.find((k) => !ALERT_KINDS.includes(k));
      return bad === undefined
        ? undefined
        : `"${bad}" is not an alert kind (${ALERT_KINDS.join(", ")})`;
    },
  },
  ALERT_LINE_AFTER: { kind: "int", check: atLeast(0) },
  ALERT_STUCK_MINUTES: { kind: "int", check: atLeast(1) },
  METRICS_BIND: {
    kind: "string",
    check: (v: string) => {
      if (v === "") return undefined;
      const m = /^(.+):(\d{1,5})$/.exec(v);
      const host = m?.[1].replace(/^\[(.*)\]$/, "$1") ?? "";
      if (!m || !(isIpAddress(host) || host === "localhost")) {
        return 'must be "" (off) or host:port such as 127.0.0.1:9464';
      }
      return port(Number(m[2]));
    },
  },
  API_BIND: { kind: "string", check: bindOrOff },
  API_RATE_PER_MIN: { kind: "int", check: atLeast(1) },
  WEBHOOKS: { kind: "webhooks", check: webhooksProblem },
  WEBHOOK_RETRY_HOURS: { kind: "int", check: atLeast(1) },
  INSTANCE_ID: {
    kind: "string",
    check: (v: string) =>
      v.length <= 128 ? undefined : "must be at most 128 characters",
  },
  INSTANCE_DEAD_AFTER: { kind: "int", check: atLeast(3) },
};

/** The original Python goippy's names → today's. */
export const ALIASES: Record<string, ConfigKey> = {
  GOIP_BIND: "GOIP_UDP_BIND",
  GOIP_PORT: "GOIP_UDP_PORT",
  DB_BASE: "DB_NAME",
  DB_FILE: "SQLITE_PATH",
  XMPP_DATA_DOMAIN: "XMPP_COMPONENT_JID",
  LOG_DAYS: "LOG_RETENTION_DAYS",
};

/** Keys whose values `--check` masks. */
export const SECRET_KEYS: readonly ConfigKey[] = [
  "DB_PASS",
  "XMPP_COMPONENT_SECRET",
];

const KIND_TEXT: Record<Kind, string> = {
  string: "a string in quotes",
  int: "a whole number",
  bool: "true or false",
  strings: "a list of strings",
  webhooks: "a list of tables {url, events, secret}",
};

function typeOk(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof v === "string";
    case "int":
      return typeof v === "number" && Number.isSafeInteger(v);
    case "bool":
      return typeof v === "boolean";
    case "strings":
      return Array.isArray(v) && v.every((s) => typeof s === "string");
    case "webhooks":
      return Array.isArray(v) &&
        v.every((w) =>
          typeof w === "object" && w !== null && !Array.isArray(w) &&
          typeof w.url === "string" && typeof w.secret === "string" &&
          Array.isArray(w.events) &&
          w.events.every((e: unknown) => typeof e === "string") &&
          Object.keys(w).every((k) => ["url", "events", "secret"].includes(k))
        );
  }
}

function where(line: number | undefined): string {
  return line ? ` (line ${line})` : "";
}

/**
 * Turn parsed key/values into a checked {@linkcode Config}. `lines` maps a key
 * as written to its line; `notes` collects remarks. Throws {@linkcode ConfigError}.
 */
export function buildConfig(
  raw: Record<string, unknown>,
  lines: Map<string, number>,
  notes: string[],
): Config {
  const config = defaultConfig();
  const setBy = new Map<ConfigKey, string>();
  for (const [name, value] of Object.entries(raw)) {
    const line = lines.get(name);
    const key = (name in KEYS ? name : ALIASES[name]) as ConfigKey | undefined;
    if (!key) {
      const hint = Object.keys(KEYS).find((k) =>
        k.toLowerCase() === name.toLowerCase()
      );
      throw new ConfigError(
        `unknown key ${name}${where(line)}${
          hint ? `; did you mean ${hint}?` : ""
        }`,
        name,
        line,
      );
    }
    const other = setBy.get(key);
    if (other !== undefined) {
      throw new ConfigError(
        `${name}${where(line)} and ${other}${
          where(lines.get(other))
        } both set ${key}; keep one`,
        name,
        line,
      );
    }
    setBy.set(key, name);
    let v = value;
    if (key === "GOIP_ALLOW_SOURCES" && typeof v === "string") {
      v = v.split(",").map((s) => s.trim()).filter((s) => s !== "");
    }
    const spec = KEYS[key];
    if (!typeOk(spec.kind, v)) {
      throw new ConfigError(
        `${name}${where(line)} must be ${KIND_TEXT[spec.kind]}, not ${
          JSON.stringify(v) ?? String(v)
        }`,
        name,
        line,
      );
    }
    const problem = spec.check?.(v as never);
    if (problem) {
      throw new ConfigError(
        `${name}${where(line)} ${problem} (got ${JSON.stringify(v)})`,
        name,
        line,
      );
    }
    if (key === "WEBHOOKS") {
      // Plain objects (the TOML parser's tables have no prototype).
      v = (v as Webhook[]).map((w) => ({
        url: w.url,
        events: [...w.events],
        secret: w.secret,
      }));
    }
    (config as unknown as Record<string, unknown>)[key] = v;
  }
  crossCheck(config, lines, setBy, notes);
  return config;
}

function crossCheck(
  config: Config,
  lines: Map<string, number>,
  setBy: Map<ConfigKey, string>,
  notes: string[],
): void {
  const lineOf = (k: ConfigKey) => lines.get(setBy.get(k) ?? k);
  if (config.XMPP_COMPONENT_JID === "") return;
  const name = setBy.get("XMPP_COMPONENT_JID") ?? "XMPP_COMPONENT_JID";
  if (config.XMPP_COMPONENT_SECRET === "") {
    const line = lineOf("XMPP_COMPONENT_JID");
    throw new ConfigError(
      `${name}${where(line)} is set but XMPP_COMPONENT_SECRET is empty; ` +
        `set the component's secret from the XMPP server's config`,
      "XMPP_COMPONENT_SECRET",
      line,
    );
  }
  if (config.XMPP_DOMAIN === "") {
    const dot = config.XMPP_COMPONENT_JID.indexOf(".");
    if (dot < 0) {
      const line = lineOf("XMPP_COMPONENT_JID");
      throw new ConfigError(
        `XMPP_DOMAIN is empty and cannot be derived from ${name}${
          where(line)
        }; set XMPP_DOMAIN to the users' domain`,
        "XMPP_DOMAIN",
        line,
      );
    }
    config.XMPP_DOMAIN = config.XMPP_COMPONENT_JID.slice(dot + 1);
    notes.push(
      `XMPP_DOMAIN not set: using ${config.XMPP_DOMAIN} (from ${name})`,
    );
  }
  if (config.XMPP_DOMAIN === config.XMPP_COMPONENT_JID) {
    throw new ConfigError(
      `XMPP_DOMAIN${where(lineOf("XMPP_DOMAIN"))} must differ from ` +
        `${name}: users and phone numbers need their own domains`,
      "XMPP_DOMAIN",
      lineOf("XMPP_DOMAIN"),
    );
  }
}
