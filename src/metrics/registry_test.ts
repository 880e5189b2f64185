import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { escapeLabel, MetricsRegistry } from "./registry.ts";
import { parseBind } from "./server.ts";

Deno.test("registry renders HELP, TYPE and sorted labelled series", () => {
  const r = new MetricsRegistry();
  const c = r.counter("x_total", "Things.", true);
  const plain = r.counter("y_total", "Plain.");
  const g = r.gauge("depth", "Depth.");
  c.inc({ type: "receive" });
  c.inc({ type: "keepalive" }, 2);
  c.inc({ type: "receive" });
  c.inc({ type: "receive" }, -5); // ignored: counters never go down
  g.set(3, { queue: "a" });
  g.set(1.5, { queue: "a" });
  assertEquals(
    r.render(),
    [
      "# HELP x_total Things.",
      "# TYPE x_total counter",
      'x_total{type="keepalive"} 2',
      'x_total{type="receive"} 2',
      "# HELP y_total Plain.",
      "# TYPE y_total counter",
      "y_total 0",
      "# HELP depth Depth.",
      "# TYPE depth gauge",
      'depth{queue="a"} 1.5',
      "",
    ].join("\n"),
  );
  plain.inc();
  assertEquals(plain.get(), 1);
  assertEquals(c.get({ type: "receive" }), 2);
  g.reset();
  assertEquals(g.get({ queue: "a" }), undefined);
});

Deno.test("registry: same name returns the same counter; type clash and bad names throw", () => {
  const r = new MetricsRegistry();
  r.counter("a_total", "A.").inc();
  r.counter("a_total", "A.").inc();
  assertEquals(r.counter("a_total", "A.").get(), 2);
  throws(() => r.gauge("a_total", "A."), /is a counter/);
  throws(() => r.counter("bad name", "B."), /bad metric name/);
});

Deno.test("label values are escaped", () => {
  assertEquals(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  const r = new MetricsRegistry();
  r.gauge("g", "G.").set(1, { ext: 'x"y' });
  assertEquals(r.render().split("\n")[2], 'g{ext="x\\"y"} 1');
});

Deno.test("parseBind accepts host:port and [v6]:port, refuses the rest", () => {
  assertEquals(parseBind("127.0.0.1:9464"), {
    hostname: "127.0.0.1",
    port: 9464,
  });
  assertEquals(parseBind("[::1]:0"), { hostname: "::1", port: 0 });
  assertEquals(parseBind("localhost:80"), { hostname: "localhost", port: 80 });
  for (const bad of ["9464", "127.0.0.1", ":9464", "h:99999", "h:x", ""]) {
    throws(() => parseBind(bad), /METRICS_BIND must be host:port/);
  }
});
