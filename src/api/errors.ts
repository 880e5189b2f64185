/**
 * The API's error answers: JSON `{error, message}` with a machine-readable
 * code and a sentence for a person.
 *
 * @module
 */

/** An error the API answers with; thrown by routes, caught by the server. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** The JSON response of an {@linkcode ApiError}. */
export function errorResponse(err: ApiError): Response {
  return Response.json({ error: err.code, message: err.message }, {
    status: err.status,
    headers: err.headers,
  });
}
