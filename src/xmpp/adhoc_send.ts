/**
 * Ad-hoc commands that queue something for a GoIP or change the gateway
 * list: a user's USSD request (the live rule of `live_requests.ts` applies:
 * refused at once while the line is offline), an admin's test SMS (its
 * receipt or error comes back to the admin like any SMS's), adding and
 * removing a gateway.
 *
 * @module
 */

import { NUMBER_RE, USSD_CODE_RE } from "../destination.ts";
import { StoreConflictError } from "../store/types.ts";
import type { AdhocDeps, Asker, Command } from "./adhoc_types.ts";
import { dataForm } from "./adhoc_forms.ts";
import { normalizeNumber } from "./contact_commands.ts";
import { numberToJid, ownLineJid } from "./jid.ts";
import { liveCheck } from "./live_requests.ts";

const text = (
  v: string,
  label: string,
  required = true,
) => ({ var: v, label, type: "text-single" as const, required });

async function ussd(
  a: Asker,
  f: Record<string, string>,
  d: AdhocDeps,
): Promise<string> {
  const code = (f.code ?? "").trim();
  if (!USSD_CODE_RE.test(code)) {
    throw new Error(`"${code.slice(0, 40)}" is not a USSD code.`);
  }
  const g = a.gateway!;
  const state = await d.store.lineState(g.goipId);
  const config = d.config();
  const live = await liveCheck("ussd", g.goipId, state, {
    store: d.store,
    config,
    nowMs: Date.now(),
  });
  if (live.refusal) throw new Error(live.refusal.text);
  await d.store.enqueueOutbox({
    ext: g.ext,
    goipId: g.goipId,
    kind: "ussd",
    number: "",
    body: code,
    fromJid: a.from,
    toJid: ownLineJid(state?.msisdn || g.msisdn, config.XMPP_COMPONENT_JID),
    stanzaId: "",
    wantReceipt: false,
    origin: "xmpp",
  });
  d.hub?.emit("outbox", { goipId: g.goipId });
  return `Dialling ${code}; the answer comes as a message from your own line.`;
}

async function testSms(
  a: Asker,
  f: Record<string, string>,
  d: AdhocDeps,
): Promise<string> {
  const g = await d.store.gatewayByExt(f.ext ?? "");
  if (!g) throw new Error(`No gateway with ext ${f.ext}.`);
  if (!NUMBER_RE.test(f.number ?? "")) {
    throw new Error(`"${f.number}" is not a phone number.`);
  }
  const number = normalizeNumber(f.number);
  const body = f.text || "goippy test SMS";
  const id = await d.store.enqueueOutbox({
    ext: g.ext,
    goipId: g.goipId,
    kind: "sms",
    number,
    body,
    fromJid: a.from,
    toJid: numberToJid(number, d.config().XMPP_COMPONENT_JID),
    stanzaId: `goippy-test-${crypto.randomUUID()}`,
    wantReceipt: true,
    origin: "xmpp",
  });
  d.hub?.emit("outbox", { goipId: g.goipId });
  return `Test SMS #${id} to ${number} queued on ${g.ext}; a receipt or an error follows from ${number}.`;
}

/** The commands of this file (users' and admins'). */
export const SEND_COMMANDS: Command[] = [
  {
    node: "ussd",
    name: "Send a USSD code",
    admin: false,
    form: () =>
      Promise.resolve(dataForm(
        "Send a USSD code",
        "E.g. *100#. It is dialled now, never queued.",
        [text("code", "USSD code")],
      )),
    run: ussd,
  },
  {
    node: "test-sms",
    name: "Send a test SMS (admin)",
    admin: true,
    form: () =>
      Promise.resolve(dataForm("Send a test SMS", "", [
        text("ext", "Gateway ext"),
        text("number", "To (e.g. +3725551234)"),
        text("text", "Text", false),
      ])),
    run: testSms,
  },
  {
    node: "gateway-add",
    name: "Add a gateway (admin)",
    admin: true,
    form: () =>
      Promise.resolve(dataForm(
        "Add a gateway",
        "The line's user is <ext>@your domain; set the GoIP's \"ID for SMS\" and password to the ones shown.",
        [
          text("ext", "Extension"),
          text("password", "GoIP password"),
          text("allow", "Allowed destinations (regex, default .*)", false),
        ],
      )),
    run: async (_a, f, d) => {
      if (!/^[A-Za-z0-9._-]{1,32}$/.test(f.ext ?? "") || !f.password) {
        throw new Error("An ext (letters, digits, . _ -) and a password.");
      }
      try {
        const g = await d.store.addGateway({
          ext: f.ext,
          goipPass: f.password,
          allowRegex: f.allow || undefined,
        });
        return `Added gateway ${g.ext}: set the GoIP's "ID for SMS" to ${g.goipId}.`;
      } catch (err) {
        if (err instanceof StoreConflictError) throw new Error(err.message);
        throw err;
      }
    },
  },
  {
    node: "gateway-remove",
    name: "Remove a gateway (admin)",
    admin: true,
    form: () =>
      Promise.resolve(
        dataForm("Remove a gateway", "", [text("ext", "Extension")]),
      ),
    run: async (_a, f, d) =>
      await d.store.removeGateway(f.ext ?? "")
        ? `Gateway ${f.ext} removed.`
        : `No gateway with ext ${f.ext}.`,
  },
];
