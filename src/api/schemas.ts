/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of every request and
 * response body of the API. The server validates requests against them and
 * `openapi.ts` publishes the same objects.
 *
 * @module
 */

import { MAX_USSD_LENGTH } from "../destination.ts";

/** A JSON Schema object. */
export type Schema = Record<string, unknown>;

const line = {
  type: "string",
  pattern: "^[A-Za-z0-9._-]{1,32}$",
  description: "The line's ext (the XMPP user's local part)",
};

const states = [
  "queued",
  "sending",
  "sent",
  "delivered",
  "failed",
  "uncertain",
  "expired",
];

/** Every schema by name (the OpenAPI components). */
export const SCHEMAS: Record<string, Schema> = {
  SmsRequest: {
    type: "object",
    properties: {
      line,
      to: {
        type: "string",
        pattern: "^\\+?[0-9]{3,20}$",
        description: "Destination number: optional + and 3 to 20 digits",
      },
      text: { type: "string", minLength: 1, maxLength: 3000 },
    },
    required: ["line", "to", "text"],
    additionalProperties: false,
  },
  SmsAccepted: {
    type: "object",
    properties: {
      id: { type: "integer" },
      state: { type: "string", enum: states },
    },
    required: ["id", "state"],
  },
  SmsStatus: {
    type: "object",
    properties: {
      id: { type: "integer" },
      line: { type: "string" },
      to: { type: "string" },
      state: { type: "string", enum: states },
      sms_no: { type: ["integer", "null"] },
      error: { type: "string" },
      created: { type: "string", format: "date-time" },
      updated: { type: "string", format: "date-time" },
    },
    required: [
      "id",
      "line",
      "to",
      "state",
      "sms_no",
      "error",
      "created",
      "updated",
    ],
  },
  UssdRequest: {
    type: "object",
    properties: {
      line,
      code: {
        type: "string",
        pattern: `^[0-9*#+]{1,${MAX_USSD_LENGTH}}$`,
      },
    },
    required: ["line", "code"],
    additionalProperties: false,
  },
  UssdResult: {
    type: "object",
    properties: {
      id: { type: "integer" },
      state: { type: "string", enum: states },
      answer: { type: "string" },
      error: { type: "string" },
    },
    required: ["id", "state", "answer", "error"],
  },
  Line: {
    type: "object",
    properties: {
      line: { type: "string" },
      msisdn: { type: "string" },
      enabled: { type: "boolean" },
      online: { type: "boolean" },
      signal: { type: ["integer", "null"] },
      operator: { type: "string" },
      last_seen: { type: ["string", "null"], format: "date-time" },
      queued: { type: "integer" },
    },
    required: [
      "line",
      "msisdn",
      "enabled",
      "online",
      "signal",
      "operator",
      "last_seen",
      "queued",
    ],
  },
  Lines: {
    type: "object",
    properties: {
      lines: { type: "array", items: { $ref: "#/components/schemas/Line" } },
    },
    required: ["lines"],
  },
  Message: {
    type: "object",
    properties: {
      id: { type: "integer" },
      line: { type: "string" },
      from: { type: "string" },
      text: { type: "string" },
      received: { type: "string", format: "date-time" },
    },
    required: ["id", "line", "from", "text", "received"],
  },
  Messages: {
    type: "object",
    properties: {
      messages: {
        type: "array",
        items: { $ref: "#/components/schemas/Message" },
      },
      next: {
        type: ["string", "null"],
        description: "Cursor for the next page (pass as `after`), or null",
      },
    },
    required: ["messages", "next"],
  },
  Error: {
    type: "object",
    properties: {
      error: { type: "string" },
      message: { type: "string" },
    },
    required: ["error", "message"],
  },
};
