/**
 * `--send` and `--ussd`: put a request into the outbox (origin "cli") for the
 * running daemon's sender, then watch the row until it has an outcome.
 * Exit 0 sent/answered, 1 error (a USSD for an offline line, an SMS over a
 * send limit: at once, nothing queued), 2 no outcome within the timeout.
 *
 * @module
 */

import type { Config } from "../config/types.ts";
import type { OutboxItem, Store } from "../store/types.ts";
import { allowRegexMatches } from "../destination.ts";
import { ussdOfflineText } from "../outbound/ussd_live.ts";
import {
  enqueueGuard,
  type LimitConfig,
  limitText,
  SendLimitError,
} from "../limits/mod.ts";
import { UsageError } from "./args.ts";
import type { CliIo } from "./io.ts";
import { checkExt, checkNumber, checkUssd } from "./validate.ts";

/** How `--send`/`--ussd` wait. */
export interface WaitOptions {
  timeoutMs: number;
  /** Poll interval (default 250 ms). */
  pollMs?: number;
  /** Runs after the arguments are checked, before the row is written; may throw. */
  beforeWrite?: () => Promise<void>;
}

/** No send limit but a gateway's own (when no config is given). */
const NO_LIMITS: LimitConfig = {
  SEND_INTERVAL: 0,
  SEND_JITTER: 0,
  SEND_LIMIT_HOUR: 0,
  SEND_LIMIT_DAY: 0,
  SEND_LIMIT_RECIPIENTS_MONTH: 0,
};

/**
 * `--send <ext> <number> <text…>`. An SMS over a send limit (`limits`: the
 * config's defaults, over which the gateway's own win) is refused at once
 * (exit 1, the limit and its reset on stderr) and nothing is queued.
 */
export async function sendSms(
  store: Store,
  args: string[],
  io: CliIo,
  wait: WaitOptions,
  limits: LimitConfig = NO_LIMITS,
): Promise<number> {
  const [ext, number, ...words] = args;
  const g = await usableGateway(store, ext);
  checkNumber(number);
  const text = words.join(" ");
  if (text.trim() === "") throw new UsageError("the text must not be empty");
  // A regex that no longer compiles ("invalid") allows nothing.
  if (allowRegexMatches(g.allowRegex, number) !== true) {
    throw new UsageError(
      `${number} is not allowed for gateway ${ext} (allow_regex ${g.allowRegex})`,
    );
  }
  await wait.beforeWrite?.();
  let id;
  try {
    id = await store.enqueueOutbox({
      ext,
      goipId: g.goipId,
      kind: "sms",
      number,
      body: text,
      fromJid: "",
      toJid: "",
      stanzaId: "",
      wantReceipt: false,
      origin: "cli",
    }, enqueueGuard(g, number, limits));
  } catch (err) {
    if (!(err instanceof SendLimitError)) throw err;
    io.err(`goippy: ${limitText(ext, err.over)}`);
    return 1;
  }
  return await watch(store, id, io, wait);
}

/**
 * `--ussd <ext> <code>`. A USSD code never waits for its line: when the line
 * is offline it is refused at once (exit 1) and nothing is queued.
 */
export async function sendUssd(
  store: Store,
  args: string[],
  io: CliIo,
  wait: WaitOptions,
  config: Pick<Config, "GOIP_OFFLINE_AFTER">,
): Promise<number> {
  const [ext, code] = args;
  const g = await usableGateway(store, ext);
  checkUssd(code);
  await wait.beforeWrite?.();
  const offline = ussdOfflineText(
    await store.lineState(g.goipId),
    Date.now(),
    config.GOIP_OFFLINE_AFTER,
  );
  if (offline) {
    io.err(`goippy: ${offline}`);
    return 1;
  }
  const id = await store.enqueueOutbox({
    ext,
    goipId: g.goipId,
    kind: "ussd",
    number: "",
    body: code,
    fromJid: "",
    toJid: "",
    stanzaId: "",
    wantReceipt: false,
    origin: "cli",
  });
  return await watch(store, id, io, wait);
}

async function usableGateway(store: Store, ext: string) {
  checkExt(ext);
  const g = await store.gatewayByExt(ext);
  if (!g) throw new UsageError(`no gateway ${ext}`);
  if (!g.enabled) throw new UsageError(`gateway ${ext} is disabled`);
  return g;
}

/** What an outbox row's state means for the CLI; null while undecided. */
export function outcome(
  item: OutboxItem,
): { code: number; text: string } | null {
  const what = item.kind === "ussd" ? "USSD" : "SMS";
  switch (item.state) {
    case "queued":
    case "sending":
      return null;
    case "sent":
      return item.kind === "ussd" ? { code: 0, text: item.result } : {
        code: 0,
        text: `sent${item.smsNo == null ? "" : ` (sms_no ${item.smsNo})`}`,
      };
    case "delivered":
      return { code: 0, text: "delivered" };
    case "failed":
      return { code: 1, text: `${what} failed: ${item.error || "no reason"}` };
    case "expired":
      return {
        code: 1,
        text: `${what} expired: the line stayed offline${
          item.error ? ` (${item.error})` : ""
        }`,
      };
    case "retracted":
      return { code: 1, text: `${what} withdrawn by its sender` };
    case "uncertain":
      return {
        code: 1,
        text: `${what} outcome uncertain: the daemon stopped while sending`,
      };
  }
}

async function watch(
  store: Store,
  id: number,
  io: CliIo,
  wait: WaitOptions,
): Promise<number> {
  const deadline = Date.now() + wait.timeoutMs;
  const pollMs = wait.pollMs ?? 250;
  let state = "queued";
  while (true) {
    const item = await store.outboxItem(id);
    if (!item) {
      io.err(`goippy: outbox row ${id} disappeared`);
      return 1;
    }
    state = item.state;
    const done = outcome(item);
    if (done) {
      if (done.code === 0) io.out(done.text);
      else io.err(`goippy: ${done.text}`);
      return done.code;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  if (state === "queued") {
    // Nobody took it: withdraw it so it is not sent long after the admin gave up.
    // Compare-and-set: a daemon claiming it right now keeps it.
    const withdrawn = await store.updateOutbox(id, {
      state: "failed",
      error: "withdrawn: the command line stopped waiting",
    }, { state: "queued" });
    if (!withdrawn) state = (await store.outboxItem(id))?.state ?? state;
  }
  io.err(
    `goippy: no outcome within ${wait.timeoutMs / 1000} s (outbox id ${id} ` +
      (state === "queued"
        ? "was still queued and is withdrawn; is the daemon running and the line online?)"
        : `is ${state}; its outcome is unknown)`),
  );
  return 2;
}
