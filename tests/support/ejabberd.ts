/**
 * A real ejabberd (23.x from Debian's apt) for the tests, isolated in a temp
 * dir: config, Mnesia spool and logs there, c2s / component / HTTP-API
 * listeners on free loopback ports.
 *
 * It is started with `erl` directly rather than `ejabberdctl`: as root
 * `ejabberdctl` switches to the `ejabberd` user (which cannot read a private
 * temp dir) and its shell does not pass SIGTERM on. The VM runs without
 * Erlang distribution (`nonode@nohost`), so no epmd and no node-name clashes
 * between parallel tests; accounts are registered through ejabberd's own
 * HTTP API (`mod_http_api`, loopback only) instead of `ejabberdctl register`.
 * SIGTERM makes the VM stop cleanly (Mnesia flushed), so `restart()` keeps
 * accounts and offline messages.
 *
 * @module
 */

import type { XmppServer, XmppServerOptions } from "./prosody.ts";
import { serverProcess } from "./server_process.ts";
import { freeTcpPort } from "./ports.ts";

const EJABBERDCTL = "/usr/sbin/ejabberdctl";

/** Options of {@linkcode startEjabberd}. */
export interface EjabberdOptions extends XmppServerOptions {
  /** YAML put at the end of `modules:` (indented by two spaces per line). */
  extraModules?: string;
}

/**
 * Where ejabberd's Erlang libraries are (the `ERL_LIBS` of the installed
 * `ejabberdctl`), or why ejabberd cannot run here.
 */
export async function findEjabberd(): Promise<
  { libs: string } | { missing: string }
> {
  let ctl: string;
  try {
    ctl = await Deno.readTextFile(EJABBERDCTL);
  } catch {
    return { missing: `${EJABBERDCTL} not found (apt install ejabberd)` };
  }
  const libs = ctl.match(/^ERL_LIBS='([^']+)'/m)?.[1] ??
    ctl.match(/^ERL_LIBS="?([^"\n]+)"?/m)?.[1];
  if (!libs) return { missing: `no ERL_LIBS in ${EJABBERDCTL}` };
  const erl = await new Deno.Command("sh", {
    args: ["-c", "command -v erl"],
    stdout: "null",
    stderr: "null",
  }).output();
  if (!erl.success) return { missing: "erl (Erlang) not on PATH" };
  return { libs };
}

/** YAML double-quoted scalar. */
function q(text: string): string {
  return JSON.stringify(text);
}

/** The ejabberd.yml for a test instance. Pure. */
export function ejabberdConfig(
  opts: EjabberdOptions,
  ports: { c2s: number; component: number; http: number },
): string {
  return `# written by tests/support/ejabberd.ts
hosts:
  - ${q(opts.domain)}
loglevel: info
log_rotate_count: 0
certfiles: []
listen:
  -
    port: ${ports.c2s}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls: false
    max_stanza_size: 262144
  -
    port: ${ports.component}
    ip: "127.0.0.1"
    module: ejabberd_service
    hosts:
      ${q(opts.componentJid)}:
        password: ${q(opts.componentSecret)}
  -
    port: ${ports.http}
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers:
      /api: mod_http_api
auth_method: [internal]
auth_password_format: plain
acl:
  loopback:
    ip:
      - 127.0.0.0/8
access_rules:
  c2s:
    allow: all
api_permissions:
  "loopback admin":
    who:
      - acl: loopback
    what:
      - "*"
modules:
  mod_roster: {}
  mod_disco: {}
  mod_ping: {}
  mod_offline: {}
  mod_version: {}
  mod_http_api: {}
${opts.extraModules ?? ""}
`;
}

/**
 * Start a throwaway ejabberd. Resolves with `null` when ejabberd is not
 * installed and env `CI` is unset (the caller then skips, saying so); throws
 * when it is missing under CI.
 */
export async function startEjabberd(
  opts: EjabberdOptions,
): Promise<XmppServer | null> {
  const found = await findEjabberd();
  if ("missing" in found) {
    if (Deno.env.get("CI")) throw new Error(`ejabberd: ${found.missing}`);
    return null;
  }
  const dir = await Deno.makeTempDir({ prefix: "goippy-ejabberd-" });
  const ports = {
    c2s: freeTcpPort(),
    component: freeTcpPort(),
    http: freeTcpPort(),
  };
  const cfg = `${dir}/ejabberd.yml`;
  const spool = `${dir}/spool`;
  await Deno.mkdir(spool);
  await Deno.mkdir(`${dir}/logs`);
  await Deno.writeTextFile(cfg, ejabberdConfig(opts, ports));
  const proc = serverProcess({
    name: "ejabberd",
    command: "erl",
    args: [
      "-noinput",
      "-env",
      "ERL_CRASH_DUMP_BYTES",
      "0",
      "-mnesia",
      "dir",
      q(spool),
      "-s",
      "ejabberd",
    ],
    env: {
      EJABBERD_CONFIG_PATH: cfg,
      EJABBERD_LOG_PATH: `${dir}/logs/ejabberd.log`,
      ERL_LIBS: found.libs,
      ERL_CRASH_DUMP: `${dir}/logs/erl_crash.dump`,
      HOME: dir,
    },
    logFile: `${dir}/logs/ejabberd.log`,
    ports: [ports.c2s, ports.component, ports.http],
  });
  let stopped = false;

  const api = async (command: string, args: Record<string, string>) => {
    const res = await fetch(`http://127.0.0.1:${ports.http}/api/${command}`, {
      method: "POST",
      body: JSON.stringify(args),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`ejabberd api ${command}: ${res.status} ${text}`);
    }
    return text;
  };
  const register = async (user: string, password: string) => {
    await api("register", { user, host: opts.domain, password });
  };

  try {
    await proc.resume();
    for (const u of opts.users ?? []) await register(u.user, u.password);
  } catch (e) {
    await proc.pause();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }

  return {
    kind: "ejabberd",
    domain: opts.domain,
    componentJid: opts.componentJid,
    componentSecret: opts.componentSecret,
    c2sPort: ports.c2s,
    componentPort: ports.component,
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
