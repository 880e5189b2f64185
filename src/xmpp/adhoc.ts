/**
 * XEP-0050 ad-hoc commands on the component, mirroring the own-line words
 * for clients with a commands menu (Gajim, Cheogram, Movim, Monal…). Users
 * of XMPP_DOMAIN with a line: status, queued messages (cancel one), contact
 * names, blocks. ADMIN_JIDS: every line's state, enable/disable a gateway.
 * Listed by disco#items on the commands node; each command has at most one
 * form (`adhoc_forms.ts`).
 *
 * @module
 */

import { lineOnline } from "../line_online.ts";
import { WITHDRAWN_TEXT } from "../notices/edit_texts.ts";

import {
  dataForm,
  doneReply,
  type Field,
  formReply,
  NS_COMMANDS,
  submitted,
} from "./adhoc_forms.ts";
import { statusText } from "./commands.ts";
import { parseContactCommand } from "./contact_commands.ts";
import { applyContactCommand } from "./contacts.ts";
import { bareJid } from "./jid.ts";
import type { IqRoute } from "./iq.ts";
import { userLine } from "./line_jid.ts";
import type { AdhocDeps, Asker, Command } from "./adhoc_types.ts";
import { SEND_COMMANDS } from "./adhoc_send.ts";

export type { AdhocDeps } from "./adhoc_types.ts";
import { xml, type XmlElement } from "./xml.ts";

const numberField: Field = {
  var: "number",
  label: "Phone number (e.g. +3725551234) or sender name",
  type: "text-single",
  required: true,
};

/** A contact command typed as the own-line words. */
const contactRun = (verb: string) =>
async (
  a: Asker,
  f: Record<string, string>,
  d: AdhocDeps,
) => {
  const words = `${verb} ${f.number ?? ""} ${f.name ?? ""}`.trim();
  const cmd = parseContactCommand(words);
  if (!cmd || "error" in cmd) {
    throw new Error(cmd?.error ?? "not understood");
  }
  const text = await applyContactCommand(a.gateway!.ext, cmd, d);
  if (cmd.verb === "name") {
    await d.roster?.named(a.gateway!, cmd.number, cmd.name);
  }
  return text;
};

const COMMANDS: Command[] = [
  ...SEND_COMMANDS.filter((c) => !c.admin),
  {
    node: "status",
    name: "Line status",
    admin: false,
    run: async (a, _f, d) => {
      const g = a.gateway!;
      const state = await d.store.lineState(g.goipId);
      return statusText({
        gateway: { ...g, msisdn: state?.msisdn || g.msisdn },
        state,
        oldestQueued: await d.store.nextQueued(g.goipId),
        nowMs: Date.now(),
        offlineAfterS: d.config().GOIP_OFFLINE_AFTER,
      });
    },
  },
  {
    node: "queued",
    name: "Waiting messages (cancel one)",
    admin: false,
    form: async (a, d) => {
      const items = (await d.store.queuedOf(a.gateway!.goipId, 50))
        .filter((i) => i.kind === "sms");
      return dataForm(
        "Waiting messages",
        items.length
          ? "Choose a message to cancel; it will not be sent."
          : "Nothing is waiting to be sent.",
        items.length
          ? [{
            var: "id",
            label: "Message",
            type: "list-single",
            required: true,
            options: items.map((i) => [
              String(i.id),
              `to ${i.number}: ${[...i.body].slice(0, 40).join("")}`,
            ]),
          }]
          : [],
      );
    },
    run: async (a, f, d) => {
      const id = Number(f.id);
      const item = Number.isInteger(id)
        ? await d.store.outboxItem(id)
        : undefined;
      if (!item || item.goipId !== a.gateway!.goipId) {
        return "Nothing was cancelled.";
      }
      return await d.store.withdrawQueued(id, WITHDRAWN_TEXT)
        ? `Cancelled: your message to ${item.number} was not sent.`
        : "Too late: that message was already handed to the GoIP.";
    },
  },
  {
    node: "name",
    name: "Name a number",
    admin: false,
    form: () =>
      Promise.resolve(dataForm(
        "Name a number",
        "Messages from the number carry this name; leave it empty to clear.",
        [numberField, { var: "name", label: "Name", type: "text-single" }],
      )),
    run: contactRun("name"),
  },
  {
    node: "block",
    name: "Block a number",
    admin: false,
    form: () =>
      Promise.resolve(dataForm(
        "Block a number",
        "SMS from it are kept but not delivered; SMS to it are refused.",
        [numberField],
      )),
    run: contactRun("block"),
  },
  {
    node: "unblock",
    name: "Unblock a number",
    admin: false,
    form: () =>
      Promise.resolve(
        dataForm("Unblock a number", "", [numberField]),
      ),
    run: contactRun("unblock"),
  },
  {
    node: "contacts",
    name: "Named and blocked numbers",
    admin: false,
    run: (a, _f, d) =>
      applyContactCommand(a.gateway!.ext, { verb: "contacts" }, d),
  },
  {
    node: "lines",
    name: "All lines (admin)",
    admin: true,
    run: async (_a, _f, d) => {
      const now = Date.now();
      const config = d.config();
      const lines = [];
      for (const g of await d.store.listGateways()) {
        const s = g.state;
        const queued = (await d.store.queuedOf(g.goipId, 1000)).length;
        lines.push(
          `${g.ext} ${g.goipId} ${s?.msisdn || g.msisdn || "?"}: ` +
            `${lineOnline(s, now, config) ? "online" : "offline"}` +
            `${g.enabled ? "" : ", disabled"}` +
            (s?.lastSeenMs
              ? `, signal ${s.signal ?? "?"}, ${s.provider || "?"}, last seen ${
                new Date(s.lastSeenMs).toISOString()
              }`
              : ", never seen") +
            `, ${queued} queued`,
        );
      }
      return lines.join("\n") || "No gateways.";
    },
  },
  ...SEND_COMMANDS.filter((c) => c.admin),
  ...(["enable", "disable"] as const).map((verb): Command => ({
    node: `gateway-${verb}`,
    name: `${verb === "enable" ? "Enable" : "Disable"} a gateway (admin)`,
    admin: true,
    form: () =>
      Promise.resolve(dataForm(`${verb} a gateway`, "", [{
        var: "ext",
        label: "Extension",
        type: "text-single",
        required: true,
      }])),
    run: async (_a, f, d) =>
      await d.store.setGatewayEnabled(f.ext ?? "", verb === "enable")
        ? `Gateway ${f.ext} ${verb}d.`
        : `No gateway with ext ${f.ext}.`,
  })),
];

async function asker(iq: XmlElement, d: AdhocDeps): Promise<Asker> {
  const config = d.config();
  const admin = config.ADMIN_JIDS.map((j) => j.toLowerCase()).includes(
    bareJid(iq.attrs.from ?? "").toLowerCase(),
  );
  const gateway = await userLine(
    d.store,
    iq.attrs.from ?? "",
    config.XMPP_DOMAIN,
  );
  return {
    gateway: gateway?.enabled ? gateway : undefined,
    admin,
    from: iq.attrs.from ?? "",
  };
}

function allowed(c: Command, a: Asker): boolean {
  return c.admin ? a.admin : !!a.gateway;
}

/** The disco#items of the commands node for this asker. */
export async function commandItems(
  iq: XmlElement,
  d: AdhocDeps,
): Promise<XmlElement[]> {
  const a = await asker(iq, d);
  const jid = d.config().XMPP_COMPONENT_JID;
  return COMMANDS.filter((c) => allowed(c, a)).map((c) =>
    xml("item", { jid, node: c.node, name: c.name })
  );
}

/** The route of `<command/>` sets, for the component link's IQ callee. */
export function adhocRoute(d: AdhocDeps): IqRoute {
  return {
    type: "set",
    ns: NS_COMMANDS,
    name: "command",
    answer: (iq, command) =>
      (iq.attrs.to ?? "").includes("@") ? null : executeCommand(iq, command, d),
  };
}

/** Answer a `<command/>` set. */
export async function executeCommand(
  iq: XmlElement,
  command: XmlElement,
  d: AdhocDeps,
): Promise<XmlElement> {
  const node = command.attrs.node ?? "";
  const sessionid = command.attrs.sessionid || crypto.randomUUID();
  const c = COMMANDS.find((x) => x.node === node);
  const a = await asker(iq, d);
  if (!c || !allowed(c, a)) {
    return doneReply(
      node,
      sessionid,
      c ? "Not allowed for you." : "No such command.",
      "error",
    );
  }
  if (command.attrs.action === "cancel") {
    return xml("command", {
      xmlns: NS_COMMANDS,
      node,
      sessionid,
      status: "canceled",
    });
  }
  const fields = submitted(command);
  if (c.form && !fields) {
    return formReply(node, sessionid, await c.form(a, d));
  }
  try {
    return doneReply(node, sessionid, await c.run(a, fields ?? {}, d));
  } catch (err) {
    return doneReply(node, sessionid, (err as Error).message, "error");
  }
}
