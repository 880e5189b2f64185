/**
 * The systemd unit goippy installs, as a pure function of a few names, so the
 * compiled binary needs no template file beside it.
 *
 * Permission model: the service runs as the dedicated system user `goippy`
 * (created by `--install`), which owns its config (mode 0600, so SIGHUP can
 * re-read it) and its state directory. Everything else is read-only
 * (`ProtectSystem=strict`); only `StateDirectory=` is writable.
 *
 * @module
 */

/** The system user (and group) the service runs as. */
export const SERVICE_USER = "goippy";

/** Names and paths of one goippy instance (`postfix` "" = the default one). */
export interface Instance {
  postfix: string;
  /** e.g. `goippy.service`, `goippy-a.service`. */
  unitName: string;
  /** e.g. `/etc/goippy.conf`, `/etc/goippy-a.conf`. */
  configPath: string;
  /** e.g. `goippy`, `goippy-a` (under /var/lib). */
  stateDirName: string;
  /** e.g. `/var/lib/goippy`. */
  stateDir: string;
}

/** A refused postfix (message suitable for stderr). */
export class PostfixError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PostfixError";
  }
}

/** Names of the instance with this postfix; throws {@linkcode PostfixError}. */
export function instanceFor(postfix = ""): Instance {
  if (postfix !== "" && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(postfix)) {
    throw new PostfixError(
      `postfix "${postfix}" is not allowed: use 1-32 letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
  const base = postfix ? `goippy-${postfix}` : "goippy";
  return {
    postfix,
    unitName: `${base}.service`,
    configPath: `/etc/${base}.conf`,
    stateDirName: base,
    stateDir: `/var/lib/${base}`,
  };
}

/** What to put into the unit. */
export interface UnitOptions {
  instance: Instance;
  /** The command line, program first (absolute paths). */
  execStart: string[];
  /** `Environment=` lines (e.g. DENO_DIR when Deno itself runs main.ts). */
  environment?: Record<string, string>;
}

/** Quote one ExecStart word for systemd when it needs it. */
export function quoteArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) {
    return arg.replaceAll("%", "%%");
  }
  return `"${
    arg.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("%", "%%")
      .replaceAll("$", () => "$$")
  }"`;
}

/** The text of the unit file. */
export function unitText(opts: UnitOptions): string {
  const { instance } = opts;
  const exec = opts.execStart.map(quoteArg).join(" ");
  const env = Object.entries(opts.environment ?? {}).map(([k, v]) =>
    `Environment=${quoteArg(`${k}=${v}`)}\n`
  ).join("");
  return `# Written by goippy --install${
    instance.postfix ? ` ${instance.postfix}` : ""
  }. Remove with goippy --uninstall${
    instance.postfix ? ` ${instance.postfix}` : ""
  }.
[Unit]
Description=goippy GoIP SMS <-> XMPP bridge${
    instance.postfix ? ` (${instance.postfix})` : ""
  }
Documentation=man:systemd.service(5)
Wants=network-online.target
After=network-online.target mariadb.service mysql.service prosody.service ejabberd.service

[Service]
Type=simple
ExecStart=${exec}
${env}ExecReload=/bin/kill -HUP $MAINPID
User=${SERVICE_USER}
Group=${SERVICE_USER}
WorkingDirectory=${instance.stateDir}
StateDirectory=${instance.stateDirName}
StateDirectoryMode=0750
UMask=0077
Restart=on-failure
RestartSec=5
TimeoutStopSec=10
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes

[Install]
WantedBy=multi-user.target
`;
}

/** The `--config` path in a unit's text, or "" when it has none. */
export function configOfUnit(text: string): string {
  const line = text.split("\n").find((l) => l.startsWith("ExecStart="));
  if (!line) return "";
  const m = /\s--config\s+("(?:[^"\\]|\\.)*"|\S+)/.exec(line);
  if (!m) return "";
  const raw = m[1];
  return raw.startsWith('"')
    ? raw.slice(1, -1).replace(/\\(.)/g, "$1").replaceAll("$$", "$")
      .replaceAll("%%", "%")
    : raw.replaceAll("%%", "%");
}
