/**
 * The lines' presence when the component link comes up, over a fleet of a
 * few thousand gateways read page by page (against a real Prosody).
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { GATEWAY_PAGE_SIZE } from "../src/store/gateway_pages.ts";
import { xml } from "./support/xmpp_user.ts";
import {
  assert,
  COMPONENT,
  connected,
  line,
  settle,
  WAIT,
  world,
} from "./support/xmpp_world.ts";

const own = (ext: string) => `+37255${ext}@${COMPONENT}`;

Deno.test(
  "xmpp: when the link comes up, every online line across all pages announces its presence",
  async () => {
    await world(async (w) => {
      // goippy_1000 … goippy_3499: lines 2001 and 3003 far apart in GoIP id
      // order, many pages between them.
      const exts = Array.from({ length: 2_500 }, (_, i) => String(1_000 + i));
      assert(exts.length > 8 * GATEWAY_PAGE_SIZE);
      for (const ext of exts) {
        await w.store.addGateway({ ext, goipPass: "pw" });
      }
      for (const ext of ["2001", "3003"]) {
        await w.store.saveLineState(
          line(`goippy_${ext}`, ext, `37255${ext}`),
        );
      }
      // Line 2002 went quiet long ago: offline, no presence.
      await w.store.saveLineState({
        ...line("goippy_2002", "2002", "372552002"),
        lastSeenMs: Date.now() - 3_600_000,
      });
      const first = w.xmpp();
      await connected(first);
      const users = new Map<string, Awaited<ReturnType<typeof w.user>>>();
      for (const ext of ["2001", "2002", "3003"]) {
        const u = await w.user(ext);
        users.set(ext, u);
        await u.send(xml("presence", { type: "subscribe", to: own(ext) }));
      }
      for (const ext of ["2001", "3003"]) {
        await users.get(ext)!.waitFor(
          (s) =>
            s.name === "presence" && s.attrs.from === own(ext) &&
            !s.attrs.type,
          WAIT,
        );
      }
      await first.stop();
      const marks = new Map(
        [...users].map(([ext, u]) => [ext, u.stanzas.length]),
      );
      const fresh = (ext: string) =>
        users.get(ext)!.stanzas.slice(marks.get(ext)!).filter((s) =>
          s.name === "presence" && s.attrs.from === own(ext)
        );

      // The link comes up again: the walk over all the pages announces them.
      await connected(w.xmpp());
      for (const ext of ["2001", "3003"]) {
        const avail = await users.get(ext)!.waitFor(
          (s) => fresh(ext).includes(s) && !s.attrs.type,
          WAIT,
        );
        assertEquals(avail.getChildText("status"), "signal 23/31, EMT");
      }
      await settle();
      assertEquals(
        fresh("2002").filter((s) => !s.attrs.type).length,
        0,
        `an offline line announces nothing: ${fresh("2002").join(" ")}`,
      );
    });
  },
);
