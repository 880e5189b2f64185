/**
 * What goippy tells people: the messages queued for XMPP users and the human
 * texts of send outcomes (also shown by the CLI and kept in the outbox row).
 * Pure; the only entry point for other folders.
 *
 * @module
 */

export * from "./inbox.ts";
export * from "./user_texts.ts";
