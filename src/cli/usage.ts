/**
 * The `--help` text.
 *
 * @module
 */

/** What `goippy --help` prints. */
export const USAGE = `goippy: GoIP GSM gateways <-> XMPP bridge

Usage: goippy [--config FILE] [COMMAND]

With no command, goippy runs the daemon.

Config file: --config FILE, else $GOIPPY_CONFIG, else \${GOIPPY_ROOT:-/}etc/goippy.conf

Commands:
  --help, -h                     this text
  --version                      version, Deno version, store dialects
  --check                        validate the config, print the effective settings
                                 (secrets masked); exit 0 when valid, 1 when not
  --sample [FILE] [--force]      write a commented sample config (mode 0600) to FILE
                                 (default \${GOIPPY_ROOT:-/}etc/goippy.conf; "-" = stdout);
                                 an existing file is kept unless --force is given
  --add <ext> <pass> [allow_regex]
                                 add a gateway: GoIP ID goippy_<ext>, password <pass>;
                                 outgoing numbers must match allow_regex (default .*)
  --add <ext> <pass> <channel|-> [allow_regex]
                                 the original goippy's form (channel is kept, unused)
  --remove <ext>                 delete a gateway
  --listExt                      list gateways (ext, GoIP ID, MSISDN, enabled,
                                 allow_regex, own limits, last seen, address)
  --enable <ext>                 enable a gateway
  --disable <ext>                disable a gateway (its GoIP is refused)
  --limits <ext> [hour=N] [day=N] [recipients=N] [interval=S] [jitter=S]
                                 the gateway's own send limits (SMS per hour, per
                                 UTC day, distinct recipients per UTC month; 0 =
                                 none) and pacing (seconds); key=- or "default"
                                 returns to the config's SEND_*; no key: show them
  --send <ext> <number> <text…>  send an SMS through the running daemon, print
                                 the outcome
  --ussd <ext> <code>            send a USSD code through the running daemon, print
                                 the answer
      --timeout S                how long --send/--ussd wait (default 60 s);
                                 exit 0 done, 1 error, 2 no outcome in time
  --status                       lines (online/offline, signal, operator, last seen)
                                 and queue depths, from the database
  --token-add <name> [--line <ext>…]
                                 create an HTTP API token (printed once, stored
                                 hashed); with --line it may use only those lines,
                                 without it is an admin token (every line)
  --token-list                   list API tokens (name, lines, created)
  --token-remove <name>          delete an API token
  --prosody-module               print mod_sms_alias.lua for Prosody
  --install [postfix]            install and start the systemd service
                                 (goippy[-postfix].service, /etc/goippy[-postfix].conf)
  --uninstall [postfix]          stop and remove the service (config and data stay)
  --list                         list goippy services

Environment: GOIPPY_CONFIG (config file), GOIPPY_ROOT (prefix of system paths,
default /), GOIPPY_SET_<KEY> (sets KEY over the config file, a TOML value:
GOIPPY_SET_GOIP_UDP_PORT=45000), JOURNAL_STREAM (set by systemd:
journald-style log lines).
`;
