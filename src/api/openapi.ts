/**
 * The OpenAPI 3.1 document served at `/api/v1/openapi.json`, built from the
 * same schemas the server validates with.
 *
 * @module
 */

import { VERSION } from "../version.ts";
import { SCHEMAS } from "./schemas.ts";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string, description: string) => ({
  description,
  content: { "application/json": { schema: ref(name) } },
});
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), json("Error", ERRORS[c])]));

const ERRORS: Record<number, string> = {
  401: "missing or unknown token",
  403: "the token may not use this line, or the destination is not allowed",
  404: "no such line or request",
  413: "request body too large",
  422: "invalid request",
  429:
    "the token's rate limit or the line's send limit reached (see Retry-After)",
  503: "the line is offline (USSD) or the store is away",
};

/** The document. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "goippy HTTP API",
      version: VERSION,
      description:
        "Send SMS and USSD through GoIP lines and read incoming SMS. " +
        "Authenticate with `Authorization: Bearer <token>` " +
        "(tokens from `goippy --token-add`).",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearer: [] }],
    paths: {
      "/sms": {
        post: {
          summary: "Queue an SMS",
          parameters: [{
            name: "Idempotency-Key",
            in: "header",
            required: false,
            schema: { type: "string", maxLength: 128 },
            description:
              "For 24 hours a retry with the same key (per token) returns " +
              "the first request's result; the key is forgotten within the " +
              "hour after, and then a request with it queues a new SMS",
          }],
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("SmsRequest") } },
          },
          responses: {
            "202": json("SmsAccepted", "queued (or the earlier result)"),
            ...errors(401, 403, 404, 413, 422, 429),
          },
        },
      },
      "/sms/{id}": {
        get: {
          summary: "State of an SMS",
          parameters: [{
            name: "id",
            in: "path",
            required: true,
            schema: { type: "integer" },
          }],
          responses: {
            "200": json("SmsStatus", "the SMS"),
            ...errors(401, 404, 429),
          },
        },
      },
      "/ussd": {
        post: {
          summary: "Dial a USSD code and wait (bounded) for the answer",
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("UssdRequest") } },
          },
          responses: {
            "200": json("UssdResult", "answered, failed or still pending"),
            ...errors(401, 403, 404, 413, 422, 429, 503),
          },
        },
      },
      "/lines": {
        get: {
          summary: "The lines the token may use",
          responses: {
            "200": json("Lines", "the lines"),
            ...errors(401, 429),
          },
        },
      },
      "/messages": {
        get: {
          summary: "Incoming SMS, oldest first, cursor-paginated",
          parameters: [
            { name: "line", in: "query", schema: { type: "string" } },
            {
              name: "since",
              in: "query",
              schema: { type: "string", format: "date-time" },
            },
            { name: "after", in: "query", schema: { type: "string" } },
            {
              name: "limit",
              in: "query",
              schema: { type: "integer", minimum: 1, maximum: 500 },
            },
          ],
          responses: {
            "200": json("Messages", "a page of messages"),
            ...errors(401, 403, 404, 422, 429),
          },
        },
      },
    },
    components: {
      schemas: SCHEMAS,
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
  };
}
