/**
 * A small client for goippy's HTTP API in tests: JSON in, status and JSON
 * out, a bearer token when given.
 *
 * @module
 */

/** One answer of the API. */
export interface ApiAnswer {
  status: number;
  // deno-lint-ignore no-explicit-any
  json: any;
  headers: Headers;
}

/** Calls to one API base URL (`http://127.0.0.1:<port>`). */
export function apiClient(base: string) {
  return async (
    method: string,
    path: string,
    opts: {
      token?: string;
      body?: unknown;
      raw?: string | Uint8Array;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Uint8Array | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] = "application/json";
    }
    const res = await fetch(base + path, {
      method,
      headers,
      body: body as BodyInit | undefined,
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // HTML or plain text: kept as is
    }
    return { status: res.status, json, headers: res.headers };
  };
}
