/**
 * `--token-add`, `--token-list`, `--token-remove`: HTTP API tokens. The
 * token is printed once at creation; the store keeps only its SHA-256.
 *
 * @module
 */

import { newToken } from "../api/tokens.ts";
import { type Store, StoreConflictError } from "../store/types.ts";
import { UsageError } from "./args.ts";
import type { CliIo } from "./io.ts";
import { formatTable } from "./table.ts";
import { checkExt } from "./validate.ts";

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** `--token-add <name> [--line <ext>…]`: no line = admin token. */
export async function addToken(
  store: Store,
  name: string,
  lines: string[],
  io: CliIo,
): Promise<number> {
  if (!NAME.test(name)) {
    throw new UsageError(
      `token name "${name}" is not allowed: use 1-64 letters, digits, "_", "." or "-"`,
    );
  }
  for (const ext of lines) {
    checkExt(ext);
    if (!await store.gatewayByExt(ext)) {
      throw new UsageError(`no gateway ${ext}`);
    }
  }
  const { token, hash } = await newToken();
  try {
    await store.addApiToken({
      name,
      hash,
      lines: lines.length ? [...new Set(lines)] : null,
    });
  } catch (err) {
    if (err instanceof StoreConflictError) {
      throw new UsageError(`a token named ${name} exists already`);
    }
    throw err;
  }
  io.out(token);
  io.err(
    `goippy: token ${name} created (${
      lines.length ? `lines ${lines.join(", ")}` : "admin: every line"
    }); it is shown only now: keep it`,
  );
  return 0;
}

/** `--token-list`. */
export async function listTokens(store: Store, io: CliIo): Promise<number> {
  const tokens = await store.apiTokens();
  if (tokens.length === 0) {
    io.out("no API tokens; create one with --token-add <name>");
    return 0;
  }
  io.out(formatTable(
    ["NAME", "LINES", "CREATED (UTC)"],
    tokens.map((t) => [
      t.name,
      t.lines === null ? "(admin)" : t.lines.join(","),
      new Date(t.createdMs).toISOString().slice(0, 19).replace("T", " "),
    ]),
  ));
  return 0;
}

/** `--token-remove <name>`. */
export async function removeToken(
  store: Store,
  name: string,
  io: CliIo,
): Promise<number> {
  if (!await store.removeApiToken(name)) {
    throw new UsageError(`no token ${name}`);
  }
  io.out(`removed token ${name}`);
  return 0;
}
