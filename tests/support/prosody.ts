/**
 * A real Prosody for the tests: its own config, data and log in a temp dir,
 * c2s and component listeners on free loopback ports, no s2s, no TLS (plain
 * SASL over loopback). Runs in the foreground as a child process; as root it
 * needs `run_as_root = true`.
 *
 * ```ts
 * const server = await startProsody({
 *   domain: "example.org",
 *   componentJid: "sms.example.org",
 *   componentSecret: "s3cret",
 *   users: [{ user: "2001", password: "pw" }],
 * });
 * // … connect to server.c2sPort / server.componentPort …
 * await server.stop();
 * ```
 *
 * @module
 */

import { freeTcpPort } from "./ports.ts";
import { serverProcess } from "./server_process.ts";

export { waitForPort } from "./server_process.ts";

/** A local XMPP account. */
export interface XmppAccount {
  user: string;
  password: string;
}

/** What a test needs to start an XMPP server. */
export interface XmppServerOptions {
  /** The users' virtual host, e.g. `example.org`. */
  domain: string;
  /** The external component's JID, e.g. `sms.example.org`. */
  componentJid: string;
  /** The component's shared secret (XEP-0114). */
  componentSecret: string;
  /** Accounts registered before the server starts. */
  users?: XmppAccount[];
}

/** A running XMPP server started by a test. */
export interface XmppServer {
  /** `"prosody"` or `"ejabberd"`. */
  kind: "prosody" | "ejabberd";
  domain: string;
  componentJid: string;
  componentSecret: string;
  /** Client-to-server port on 127.0.0.1. */
  c2sPort: number;
  /** XEP-0114 component port on 127.0.0.1. */
  componentPort: number;
  /** The temp dir holding config, data and logs (removed by `stop()`). */
  dir: string;
  /** Register one more account (works while running). */
  register(user: string, password: string): Promise<void>;
  /** Send a signal to the server process (e.g. SIGSTOP/SIGCONT to freeze it). */
  signal(sig: Deno.Signal): void;
  /** Stop gracefully and start again on the same ports; data is kept. */
  restart(): Promise<void>;
  /** Stop only the process (data and ports kept); `resume()` starts it again. */
  pause(): Promise<void>;
  /** Start again after `pause()`; waits until both ports accept. */
  resume(): Promise<void>;
  /** The server's log so far (log file plus stdout/stderr). */
  logs(): string;
  /** Stop the process and remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@linkcode startProsody}. */
export interface ProsodyOptions extends XmppServerOptions {
  /** Extra modules to enable (e.g. `"sms_alias"` from the repo's `install/`). */
  modules?: string[];
  /** Lua lines put in the global section (before the VirtualHost). */
  extraConfig?: string;
  /** Lua lines put inside the VirtualHost section. */
  hostConfig?: string;
  /** Lua lines put inside the Component section. */
  componentConfig?: string;
}

/** The repo's `install/` dir, where `mod_sms_alias.lua` lives. */
export const INSTALL_DIR: string =
  new URL("../../install/", import.meta.url).pathname;

/** Lua string literal for any text. */
function lua(text: string): string {
  return JSON.stringify(text);
}

/** The prosody.cfg.lua for a test instance. Pure. */
export function prosodyConfig(
  dir: string,
  opts: ProsodyOptions,
  c2sPort: number,
  componentPort: number,
): string {
  const modules = [
    "roster",
    "saslauth",
    "disco",
    "ping",
    "presence",
    "offline",
    "version",
    ...(opts.modules ?? []),
  ];
  return `-- written by tests/support/prosody.ts
pidfile = ${lua(`${dir}/prosody.pid`)}
data_path = ${lua(`${dir}/data`)}
plugin_paths = { ${lua(INSTALL_DIR)} }
run_as_root = true
daemonize = false
log = { debug = ${lua(`${dir}/prosody.log`)} }
interfaces = { "127.0.0.1" }
c2s_ports = { ${c2sPort} }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = {}
component_ports = { ${componentPort} }
component_interfaces = { "127.0.0.1" }
http_ports = {}
https_ports = {}
modules_enabled = { ${modules.map(lua).join("; ")} }
modules_disabled = { "s2s"; "tls" }
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
${opts.extraConfig ?? ""}

VirtualHost ${lua(opts.domain)}
${opts.hostConfig ?? ""}

Component ${lua(opts.componentJid)}
  component_secret = ${lua(opts.componentSecret)}
${opts.componentConfig ?? ""}
`;
}

/** Start a throwaway Prosody; see the module doc. */
export async function startProsody(opts: ProsodyOptions): Promise<XmppServer> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-prosody-" });
  const c2sPort = freeTcpPort();
  const componentPort = freeTcpPort();
  const cfg = `${dir}/prosody.cfg.lua`;
  let stopped = false;

  await Deno.mkdir(`${dir}/data`);
  await Deno.writeTextFile(
    cfg,
    prosodyConfig(dir, opts, c2sPort, componentPort),
  );
  const proc = serverProcess({
    name: "prosody",
    command: "prosody",
    args: ["--config", cfg, "-F"],
    logFile: `${dir}/prosody.log`,
    ports: [c2sPort, componentPort],
  });

  const register = async (user: string, password: string) => {
    const out = await new Deno.Command("prosodyctl", {
      args: ["--config", cfg, "register", user, opts.domain, password],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const dec = new TextDecoder();
      throw new Error(
        `prosodyctl register ${user}@${opts.domain} failed: ` +
          dec.decode(out.stdout) + dec.decode(out.stderr),
      );
    }
  };

  try {
    for (const u of opts.users ?? []) await register(u.user, u.password);
    await proc.resume();
  } catch (e) {
    await proc.pause();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    if (e instanceof Deno.errors.NotFound) {
      throw new Error("prosody is not installed (apt install prosody)");
    }
    throw e;
  }

  return {
    kind: "prosody",
    domain: opts.domain,
    componentJid: opts.componentJid,
    componentSecret: opts.componentSecret,
    c2sPort,
    componentPort,
    dir,
    register,
    signal: proc.signal,
    restart: async () => {
      await proc.pause();
      await proc.resume();
    },
    pause: proc.pause,
    resume: proc.resume,
    logs: proc.logs,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await proc.pause();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
