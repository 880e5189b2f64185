/**
 * A webhook receiver for tests: Deno.serve on a loopback port that checks
 * each request's signature and records the events; it can answer 500 or be
 * taken down and brought back on the same port.
 *
 * @module
 */

import { createHmac } from "node:crypto";

/** One event as received. */
export interface Received {
  id: number;
  event: string;
  // deno-lint-ignore no-explicit-any
  data: any;
  signatureOk: boolean;
  eventIdHeader: string | null;
}

/** A receiver on a fixed port. */
export class WebhookReceiver {
  readonly port: number;
  readonly secret: string;
  /** Every accepted (2xx) event, in arrival order (repeats included). */
  readonly accepted: Received[] = [];
  /** Requests answered with 500 so far. */
  refused = 0;
  /** Answer the next this many requests with 500. */
  failNext = 0;
  #server: Deno.HttpServer | null = null;

  constructor(port: number, secret: string) {
    this.port = port;
    this.secret = secret;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Listen (again). */
  up(): void {
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: this.port,
      onListen: () => {},
    }, async (req) => {
      const body = await req.text();
      if (this.failNext > 0) {
        this.failNext--;
        this.refused++;
        return new Response("not now", { status: 500 });
      }
      const e = JSON.parse(body);
      const mac = "sha256=" +
        createHmac("sha256", this.secret).update(body).digest("hex");
      this.accepted.push({
        id: e.id,
        event: e.event,
        data: e.data,
        signatureOk: req.headers.get("x-goippy-signature") === mac,
        eventIdHeader: req.headers.get("x-goippy-event-id"),
      });
      return new Response(null, { status: 204 });
    });
  }

  /** Stop listening (connections refused until {@linkcode up}). */
  async down(): Promise<void> {
    await this.#server?.shutdown();
    this.#server = null;
  }

  /** Distinct event ids in the order first seen. */
  ids(): number[] {
    return [...new Set(this.accepted.map((r) => r.id))];
  }

  /** The first accepted event named `event` with `data` matching `pred`. */
  find(event: string, pred: (data: Received["data"]) => boolean = () => true) {
    return this.accepted.find((r) => r.event === event && pred(r.data));
  }
}
