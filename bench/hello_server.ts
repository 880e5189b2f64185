/**
 * The HTTP floor as its own process: a bare `Deno.serve` answering every
 * request with a small JSON 202 after reading the body, printing its port,
 * until SIGTERM. `deno run --allow-net bench/hello_server.ts`
 *
 * @module
 */

if (import.meta.main) {
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    onListen: ({ port }) =>
      console.log(`hello listening on tcp 127.0.0.1:${port}`),
  }, async (req) => {
    await req.text();
    return Response.json({ id: 1, state: "queued" }, { status: 202 });
  });
  Deno.addSignalListener("SIGTERM", () => ac.abort());
  await server.finished;
  Deno.exit(0);
}
