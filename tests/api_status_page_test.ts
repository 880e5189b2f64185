/**
 * The status page in a real browser: headless Chromium (Debian's
 * `chromium`) loads `GET /` from the running daemon, and the rendered DOM
 * shows each line's state, the traffic and the instance; a screenshot is
 * kept in the test output directory (GOIPPY_TEST_OUTPUT, else
 * tests/output/).
 */

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { startDaemon } from "./support/daemon.ts";
import { GoipSim } from "./support/goip_sim/mod.ts";
import { waitFor } from "./support/poll.ts";
import { freeTcpPort } from "./support/ports.ts";

function haveChromium(): boolean {
  try {
    return new Deno.Command("chromium", { args: ["--version"] }).outputSync()
      .success;
  } catch {
    return false;
  }
}

async function chromium(args: string[]): Promise<string> {
  const out = await new Deno.Command("chromium", {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--hide-scrollbars",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

Deno.test({
  name: "the status page renders every line in headless Chromium",
  ignore: !haveChromium() && !Deno.env.get("CI"),
  async fn() {
    const apiPort = freeTcpPort();
    const d = await startDaemon({
      config: { API_BIND: `127.0.0.1:${apiPort}` },
      gateways: [
        { ext: "2001", password: "pw1" },
        { ext: "2002", password: "pw2" },
      ],
    });
    const sim = await GoipSim.start({
      server: { hostname: "127.0.0.1", port: d.udpPort },
      id: "goippy_2001",
      password: "pw1",
      num: "+3725550001",
      retransmitMs: 500,
    });
    try {
      await waitFor(
        async () => (await sim.keepalive()).includes("status:200"),
        15_000,
        "keepalive accepted",
        200,
      );
      await sim.receive("+3725559999", "hello page");
      const url = `http://127.0.0.1:${apiPort}/`;
      const dom = await chromium(["--dump-dom", url]);
      assertMatch(dom, /<title>goippy – 1\/2 lines online<\/title>/);
      const row = (ext: string) =>
        new RegExp(`<tr class="line (\\w+)" data-line="${ext}">(.*?)</tr>`, "s")
          .exec(dom);
      assertEquals(row("2001")?.[1], "online");
      assertMatch(row("2001")![2], /\+3725550001/);
      assertEquals(row("2002")?.[1], "offline");
      assertMatch(row("2002")![2], /never/);
      assertMatch(dom, /<td>in<\/td><td>sms<\/td><td class="num">1<\/td>/);
      assertMatch(dom, /id="xmpp" class="badge off">off</);
      assertMatch(dom, /<table id="instances">.*running/s);

      const dir = Deno.env.get("GOIPPY_TEST_OUTPUT") ??
        new URL("./output/", import.meta.url).pathname;
      await Deno.mkdir(dir, { recursive: true });
      const shot = `${dir.replace(/\/$/, "")}/status_page.png`;
      await chromium([
        `--screenshot=${shot}`,
        "--window-size=1100,700",
        url,
      ]);
      const png = await Deno.readFile(shot);
      assertEquals([...png.slice(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
      assert(png.length > 5000, "the screenshot shows something");
      console.log(`status page screenshot: ${shot}`);
    } catch (err) {
      console.error(d.logs());
      throw err;
    } finally {
      await sim.close();
      await d.stop();
    }
  },
});
