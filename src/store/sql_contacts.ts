/**
 * A user's own names for phone numbers and the numbers they blocked
 * (`goippy_contacts`, one row per line ext and number), for
 * {@linkcode SqlStore}. A row with no name that is not blocked is deleted.
 *
 * @module
 */

import type { SqlConn, SqlDriver } from "./sql_driver.ts";

/** A number as one user sees it. */
export interface Contact {
  /** The user's line (`<ext>@XMPP_DOMAIN`). */
  ext: string;
  /** `+<digits>`. */
  number: string;
  /** The user's name for it ("" = none). */
  name: string;
  /** Incoming SMS from it are stored, not delivered; SMS to it are refused. */
  blocked: boolean;
}

/** Migration step 9: the table (idempotent). */
export async function createContactsTable(
  c: SqlConn,
  d: SqlDriver,
): Promise<void> {
  const { key, text, int, tableOptions } = d.ddl;
  await c.exec(
    `CREATE TABLE IF NOT EXISTS goippy_contacts (
      ext ${key(32)},
      number ${key(32)},
      name ${text},
      blocked ${int},
      updated_ms ${int},
      PRIMARY KEY (ext, number))${tableOptions}`,
  );
}

function toContact(r: Record<string, unknown>): Contact {
  return {
    ext: String(r.ext),
    number: String(r.number),
    name: String(r.name ?? ""),
    blocked: Number(r.blocked) === 1,
  };
}

/** See {@linkcode Store.contact}. */
export async function contact(
  d: SqlDriver,
  ext: string,
  number: string,
): Promise<Contact | undefined> {
  const rows = await d.all(
    "SELECT ext, number, name, blocked FROM goippy_contacts " +
      "WHERE ext = ? AND number = ?",
    [ext, number],
  );
  return rows.length ? toContact(rows[0]) : undefined;
}

/** See {@linkcode Store.contacts}. */
export async function contacts(d: SqlDriver, ext: string): Promise<Contact[]> {
  const rows = await d.all(
    "SELECT ext, number, name, blocked FROM goippy_contacts WHERE ext = ? " +
      "ORDER BY number",
    [ext],
  );
  return rows.map(toContact);
}

/** See {@linkcode Store.namedContacts}. */
export async function namedContacts(d: SqlDriver): Promise<Contact[]> {
  const rows = await d.all(
    "SELECT ext, number, name, blocked FROM goippy_contacts WHERE name <> '' " +
      "ORDER BY ext, number",
  );
  return rows.map(toContact);
}

/** See {@linkcode Store.setContact}. */
export function setContact(
  d: SqlDriver,
  ext: string,
  number: string,
  change: { name?: string; blocked?: boolean },
  nowMs: number,
): Promise<Contact | undefined> {
  return d.transaction(async (c) => {
    const sets: string[] = ["updated_ms = ?"];
    const params: (string | number)[] = [nowMs];
    if (change.name !== undefined) {
      sets.push("name = ?");
      params.push(change.name);
    }
    if (change.blocked !== undefined) {
      sets.push("blocked = ?");
      params.push(change.blocked ? 1 : 0);
    }
    await c.run(
      d.upsert(
        "INSERT INTO goippy_contacts (ext, number, name, blocked, updated_ms) " +
          "VALUES (?, ?, ?, ?, ?)",
        "ext, number",
        sets.join(", "),
      ),
      [
        ext,
        number,
        change.name ?? "",
        change.blocked ? 1 : 0,
        nowMs,
        ...params,
      ],
    );
    await c.run(
      "DELETE FROM goippy_contacts WHERE ext = ? AND number = ? " +
        "AND name = '' AND blocked = 0",
      [ext, number],
    );
    const rows = await c.all(
      "SELECT ext, number, name, blocked FROM goippy_contacts " +
        "WHERE ext = ? AND number = ?",
      [ext, number],
    );
    return rows.length ? toContact(rows[0]) : undefined;
  });
}
