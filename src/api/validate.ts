/**
 * Request validation with Ajv against {@linkcode SCHEMAS}; a refusal is a
 * 422 {@linkcode ApiError} naming the first problem.
 *
 * @module
 */

import { Ajv2020 } from "ajv/dist/2020.js";
import { ApiError } from "./errors.ts";
import { SCHEMAS } from "./schemas.ts";

/** A checker of request bodies by schema name. */
export type BodyCheck = <T>(name: string, body: unknown) => T;

/** Compile every schema once; the returned function throws 422 on a bad body. */
export function bodyChecker(): BodyCheck {
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  ajv.addSchema(
    { $id: "goippy", components: { schemas: SCHEMAS } },
  );
  const checks = new Map(
    Object.keys(SCHEMAS).map((name) => [
      name,
      ajv.compile({ $ref: `goippy#/components/schemas/${name}` }),
    ]),
  );
  return <T>(name: string, body: unknown): T => {
    const check = checks.get(name)!;
    if (!check(body)) {
      const e = check.errors?.[0];
      const where = e?.instancePath ? e.instancePath.slice(1) : "body";
      throw new ApiError(
        422,
        "invalid",
        `${where} ${e?.message ?? "is invalid"}`,
      );
    }
    return body as T;
  };
}
