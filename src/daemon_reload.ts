/**
 * The daemon's config in force and its reload on SIGHUP: the file is read
 * again, the live keys take effect in each started part, and the keys that
 * need a restart are named in the log. A file that fails to load or check
 * leaves the running config as it was.
 *
 * @module
 */

import type { Config } from "./config/types.ts";
import { changedKeys } from "./config/diff.ts";
import { applyLive, LIVE_KEYS, type LiveConfig } from "./config/live.ts";
import { loadConfig } from "./config/load.ts";
import type { Logger } from "./log.ts";

/** A started part that takes a reloaded config. */
export interface Reloadable {
  reload(): void | Promise<void>;
}

/** Holds the config in force; {@linkcode reload} re-reads it. */
export class ConfigReloader {
  #current: Config;
  #log: Logger;
  #path: string | undefined;
  #parts: Reloadable[] = [];
  /** The config in force, for the parts that read live keys. */
  readonly live: LiveConfig = () => this.#current;

  constructor(config: Config, log: Logger, configPath?: string) {
    this.#current = config;
    this.#log = log;
    this.#path = configPath;
  }

  /** Tell `part` of each reload, after the parts added before it. */
  add(part: Reloadable): void {
    this.#parts.push(part);
  }

  /** Re-read the config file and apply its live keys; never throws. */
  async reload(): Promise<void> {
    const log = this.#log;
    if (!this.#path) {
      log.warn("reload: no config file to re-read (built-in defaults)");
      return;
    }
    try {
      const { config: next } = await loadConfig({ path: this.#path });
      const changed = changedKeys(this.#current, next);
      this.#current = applyLive(this.#current, next);
      log.level = this.#current.LOG_LEVEL;
      for (const part of this.#parts) await part.reload();
      const later = changed.filter((k) => !LIVE_KEYS.has(k));
      log.info(
        `reloaded ${this.#path}: ${
          changed.length ? `changed ${changed.join(", ")}` : "no changes"
        }` + (later.length ? `; needs a restart: ${later.join(", ")}` : ""),
      );
    } catch (err) {
      log.error(
        `reload refused, keeping the running config: ${errText(err)}`,
      );
    }
  }
}

/** Resolve on SIGTERM/SIGINT (with its name); SIGHUP runs `onHup`. */
export function waitForSignals(onHup: () => Promise<void>): Promise<string> {
  return new Promise((resolve) => {
    let reloading = Promise.resolve();
    const hup = () => {
      reloading = reloading.then(onHup);
    };
    const stop = (name: string) => () => {
      Deno.removeSignalListener("SIGTERM", term);
      Deno.removeSignalListener("SIGINT", int);
      Deno.removeSignalListener("SIGHUP", hup);
      reloading.then(() => resolve(name));
    };
    const term = stop("SIGTERM");
    const int = stop("SIGINT");
    Deno.addSignalListener("SIGTERM", term);
    Deno.addSignalListener("SIGINT", int);
    Deno.addSignalListener("SIGHUP", hup);
  });
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
