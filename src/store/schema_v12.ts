/**
 * Migration step 12: a line bound to a JID by XEP-0077 registration.
 * `goippy_gateways.xmpp_jid` is the bare JID (lowercase) of the user who
 * registered the line; NULL = the default `<ext>@XMPP_DOMAIN`. Unique, so
 * one JID holds at most one line (NULLs do not collide in either dialect).
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";

const INDEX = "goippy_gateways_xmpp_jid";

/** Add `xmpp_jid` and its unique index (idempotent). */
export async function gatewayJid(c: SqlConn, d: SqlDriver): Promise<void> {
  if (!(await d.columns(c, "goippy_gateways")).includes("xmpp_jid")) {
    await c.exec(
      "ALTER TABLE goippy_gateways ADD COLUMN xmpp_jid VARCHAR(255) NULL",
    );
  }
  if (!(await d.hasIndex(c, "goippy_gateways", INDEX))) {
    await c.exec(
      `CREATE UNIQUE INDEX ${INDEX} ON goippy_gateways (xmpp_jid)`,
    );
  }
}
