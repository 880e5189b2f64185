/**
 * Store contract: lines bound to a registered JID (`goippy_gateways.xmpp_jid`,
 * schema step 12), on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { StoreConflictError } from "../src/store/types.ts";
import { storeContract } from "./support/store_backend.ts";

storeContract("registration", [
  {
    name:
      "bind, find by JID, one JID one line, unbind; each change is a new gateways version",
    async fn({ store }) {
      await store.addGateway({ ext: "2001", goipPass: "a" });
      await store.addGateway({ ext: "2002", goipPass: "b" });
      assert.equal((await store.gatewayByExt("2001"))?.xmppJid, undefined);
      const v0 = await store.gatewaysVersion();

      assert.equal(
        await store.setGatewayJid("2001", "alice@example.org"),
        true,
      );
      assert.equal(
        (await store.gatewayByJid("alice@example.org"))?.ext,
        "2001",
      );
      assert.equal(
        (await store.gatewayByExt("2001"))?.xmppJid,
        "alice@example.org",
      );
      const v1 = await store.gatewaysVersion();
      assert.notEqual(v1, v0);

      await assert.rejects(
        () => store.setGatewayJid("2002", "alice@example.org"),
        StoreConflictError,
      );
      assert.equal((await store.gatewayByExt("2002"))?.xmppJid, undefined);
      assert.equal(await store.setGatewayJid("9999", "bob@example.org"), false);

      assert.equal(await store.setGatewayJid("2001", null), true);
      assert.equal(await store.gatewayByJid("alice@example.org"), undefined);
      assert.notEqual(await store.gatewaysVersion(), v1);
      // Two unbound lines do not collide on the unique index.
      assert.equal(await store.setGatewayJid("2002", null), true);
      assert.deepEqual(
        (await store.listGateways()).map((g) => [g.ext, g.xmppJid]),
        [["2001", undefined], ["2002", undefined]],
      );
    },
  },
]);
