/**
 * `GET /`: a plain server-rendered HTML page for the admin — every line,
 * the last hour's traffic, the XMPP link and the running daemons. It
 * reloads itself every 15 seconds; no script, no build step.
 *
 * @module
 */

import type { Instance } from "../store/types.ts";
import { VERSION } from "../version.ts";
import { type ApiContext, iso } from "./context.ts";
import { lineViews } from "./routes_lines.ts";

/** What the page shows besides the store. */
export interface StatusProbe {
  /** The XMPP component link: "connected", "connecting", "off", … */
  xmpp(): string;
}

/** Seconds between the page's reloads. */
const REFRESH_S = 15;

/** Text made safe for HTML. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Render the page. */
export async function statusPage(
  ctx: ApiContext,
  probe: StatusProbe,
): Promise<Response> {
  const now = ctx.now();
  const [lines, traffic, instances, depths] = await Promise.all([
    lineViews(ctx, null),
    ctx.store.trafficCounts(now - 3600_000),
    ctx.store.instances(),
    ctx.store.queueDepths(),
  ]);
  const online = lines.filter((l) => l.online).length;
  const xmpp = probe.xmpp();
  const lineRows = lines.map((l) =>
    `<tr class="line ${l.online ? "online" : "offline"}" data-line="${
      esc(l.line)
    }"><td>${esc(l.line)}</td><td>${esc(l.msisdn)}</td><td class="state">${
      l.enabled ? (l.online ? "online" : "offline") : "disabled"
    }</td><td>${l.signal ?? "–"}</td><td>${esc(l.operator)}</td><td>${
      l.last_seen ?? "never"
    }</td><td class="num">${l.queued}</td></tr>`
  ).join("\n");
  const trafficRows =
    traffic.map((t) =>
      `<tr><td>${esc(t.dir)}</td><td>${
        esc(t.kind)
      }</td><td class="num">${t.count}</td></tr>`
    ).join("\n") || `<tr><td colspan="3">no traffic</td></tr>`;
  const instanceRows = instances.map((i: Instance) =>
    `<tr><td>${esc(i.instanceId)}</td><td>${
      esc(i.host)
    }</td><td>${i.pid}</td><td>${esc(i.version)}</td><td>${
      iso(i.heartbeatMs)
    }</td><td>${
      i.stoppedMs === null ? "running" : `stopped ${iso(i.stoppedMs)}`
    }</td></tr>`
  ).join("\n");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${REFRESH_S}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>goippy – ${online}/${lines.length} lines online</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.4em 0 .4em}
table{border-collapse:collapse;background:#fff;min-width:30em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#eee}.num{text-align:right}
tr.online .state{color:#0a0;font-weight:bold}tr.offline .state{color:#b00}
.badge{display:inline-block;padding:.1em .5em;border-radius:.3em;background:#ddd}
.badge.connected{background:#bfb}.small{color:#666;font-size:.9em}
</style></head><body>
<h1>goippy ${esc(VERSION)}</h1>
<p>XMPP <span id="xmpp" class="badge ${esc(xmpp)}">${esc(xmpp)}</span>
 · store ${esc(ctx.store.dialect)}
 · <span id="summary">${online} of ${lines.length} lines online</span>
 · inbox pending ${depths.inboxPending} · outbox queued ${depths.outboxQueued},
 sending ${depths.outboxSending}</p>
<h2>Lines</h2>
<table id="lines"><thead><tr><th>Line</th><th>Number</th><th>State</th>
<th>Signal</th><th>Operator</th><th>Last seen (UTC)</th><th>Queue</th></tr></thead>
<tbody>
${
    lineRows ||
    `<tr><td colspan="7">no lines; add one with goippy --add</td></tr>`
  }
</tbody></table>
<h2>Traffic, last hour</h2>
<table id="traffic"><thead><tr><th>Direction</th><th>Kind</th><th>Count</th></tr></thead>
<tbody>
${trafficRows}
</tbody></table>
<h2>Instances</h2>
<table id="instances"><thead><tr><th>Instance</th><th>Host</th><th>PID</th>
<th>Version</th><th>Heartbeat (UTC)</th><th>State</th></tr></thead>
<tbody>
${instanceRows}
</tbody></table>
<p class="small">Rendered ${iso(now)}; reloads every ${REFRESH_S} s.</p>
</body></html>
`;
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
