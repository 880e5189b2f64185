/**
 * Store contract: users' names for numbers and blocked numbers
 * (`goippy_contacts`, schema step 9), on SQLite and on a real MariaDB.
 */

import assert from "node:assert/strict";
import { storeContract } from "./support/store_backend.ts";

storeContract("contacts", [
  {
    name: "name and block are set apart, cleared apart; an empty row goes away",
    async fn({ store }) {
      assert.equal(await store.contact("2001", "+3725551234"), undefined);
      assert.deepEqual(
        await store.setContact("2001", "+3725551234", { name: "Mom 🌷" }),
        { ext: "2001", number: "+3725551234", name: "Mom 🌷", blocked: false },
      );
      await store.setContact("2001", "+3725551234", { blocked: true });
      await store.setContact("2001", "+3725559999", { blocked: true });
      await store.setContact("2002", "+3725551234", { name: "Boss" });
      assert.deepEqual(await store.contact("2001", "+3725551234"), {
        ext: "2001",
        number: "+3725551234",
        name: "Mom 🌷",
        blocked: true,
      });
      assert.deepEqual(
        (await store.contacts("2001")).map((
          c,
        ) => [c.number, c.name, c.blocked]),
        [["+3725551234", "Mom 🌷", true], ["+3725559999", "", true]],
      );
      await store.setContact("2001", "+3725551234", { name: "" });
      assert.equal(
        await store.setContact("2001", "+3725559999", { blocked: false }),
        undefined,
      );
      assert.deepEqual(
        (await store.contacts("2001")).map((
          c,
        ) => [c.number, c.name, c.blocked]),
        [["+3725551234", "", true]],
      );
      assert.equal((await store.contact("2002", "+3725551234"))?.name, "Boss");
      assert.deepEqual(
        (await store.namedContacts()).map((c) => [c.ext, c.number, c.name]),
        [["2002", "+3725551234", "Boss"]],
      );
    },
  },
]);
