/**
 * `--add`, `--remove`, `--listExt`, `--enable`, `--disable`: gateway rows in
 * the store. Arguments are checked before anything is written.
 *
 * @module
 */

import { type Store, StoreConflictError } from "../store/types.ts";
import { UsageError } from "./args.ts";
import type { CliIo } from "./io.ts";
import { overridesText } from "./limits.ts";
import { formatSeen, formatTable } from "./table.ts";
import { checkExt, parseAddArgs } from "./validate.ts";

/** `--add <ext> <pass> [allow_regex]` (or the four-argument form). */
export async function addGateway(
  store: Store,
  args: string[],
  io: CliIo,
): Promise<number> {
  const g = parseAddArgs(args);
  if (await store.gatewayByExt(g.ext)) {
    throw new UsageError(`gateway ${g.ext} exists already`);
  }
  let made;
  try {
    made = await store.addGateway(g);
  } catch (err) {
    if (err instanceof StoreConflictError) {
      throw new UsageError(`cannot add ${g.ext}: ${err.message}`);
    }
    throw err;
  }
  io.out(
    `added gateway ${made.ext}: set the GoIP's "ID for SMS" to ${made.goipId} ` +
      `and its password to the one given; allow_regex ${made.allowRegex}`,
  );
  return 0;
}

/** `--remove <ext>`. */
export async function removeGateway(
  store: Store,
  ext: string,
  io: CliIo,
): Promise<number> {
  checkExt(ext);
  if (!(await store.removeGateway(ext))) {
    throw new UsageError(`no gateway ${ext}`);
  }
  io.out(`removed gateway ${ext}`);
  return 0;
}

/** `--enable <ext>` / `--disable <ext>`. */
export async function setEnabled(
  store: Store,
  ext: string,
  enabled: boolean,
  io: CliIo,
): Promise<number> {
  checkExt(ext);
  if (!(await store.setGatewayEnabled(ext, enabled))) {
    throw new UsageError(`no gateway ${ext}`);
  }
  io.out(`${enabled ? "enabled" : "disabled"} gateway ${ext}`);
  return 0;
}

/** `--listExt`: one row per gateway. */
export async function listGateways(
  store: Store,
  io: CliIo,
  nowMs = Date.now(),
): Promise<number> {
  const gateways = await store.listGateways();
  if (gateways.length === 0) {
    io.out("no gateways; add one with: goippy --add <ext> <pass>");
    return 0;
  }
  io.out(formatTable(
    [
      "ext",
      "goip_id",
      "msisdn",
      "enabled",
      "allow_regex",
      "limits",
      "last seen",
      "address",
    ],
    gateways.map((g) => [
      g.ext,
      g.goipId,
      g.msisdn,
      g.enabled ? "yes" : "no",
      g.allowRegex,
      overridesText(g),
      formatSeen(g.state?.lastSeenMs ?? 0, nowMs),
      g.state?.addr ?? "",
    ]),
  ));
  return 0;
}
