import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createLogger } from "../log.ts";
import { formatAddr, orderKey, splitAddr, startEndpoint } from "./endpoint.ts";

const quiet = () =>
  createLogger({ level: "error", journald: false, write: () => {} });

/** A client socket that waits for one reply with a generous timeout. */
async function recvOne(
  c: Deno.DatagramConn,
  ms = 5000,
): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((r) =>
    timer = setTimeout(() => r(null), ms)
  );
  try {
    const got = await Promise.race([c.receive(), timeout]);
    return got ? new TextDecoder().decode(got[0]) : null;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("splitAddr/formatAddr", () => {
  assertEquals(splitAddr("127.0.0.1:9991"), {
    hostname: "127.0.0.1",
    port: 9991,
  });
  assertEquals(splitAddr("[::1]:44444"), { hostname: "::1", port: 44444 });
  assertEquals(splitAddr("127.0.0.1"), null);
  assertEquals(splitAddr("127.0.0.1:0"), null);
  assertEquals(splitAddr("a b:1"), null);
  assertEquals(
    formatAddr({ transport: "udp", hostname: "::1", port: 5 }),
    "[::1]:5",
  );
  assertEquals(
    formatAddr({ transport: "udp", hostname: "10.0.0.1", port: 5 }),
    "10.0.0.1:5",
  );
});

Deno.test("endpoint: answers from its own port, survives garbage, closes cleanly", async () => {
  const seen: string[] = [];
  const drops: string[] = [];
  const ep = startEndpoint({
    hostname: "127.0.0.1",
    port: 0,
    log: quiet(),
    onDatagram: async (text, addr) => {
      seen.push(text);
      if (text === "boom") throw new Error("handler bug");
      if (text.startsWith("hello")) await ep.send(addr, `echo ${text}`);
    },
    onDrop: (r) => drops.push(r),
  });
  const client = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const to = {
    transport: "udp" as const,
    hostname: "127.0.0.1",
    port: ep.port,
  };
  try {
    await client.send(new Uint8Array([0xff, 0xfe, 0x00]), to);
    await client.send(new Uint8Array(65_000).fill(0x41), to);
    await client.send(new Uint8Array(0), to);
    await client.send(new TextEncoder().encode("boom"), to);
    await client.send(new TextEncoder().encode("hello 测试"), to);
    assertEquals(await recvOne(client), "echo hello 测试");
    assertEquals(seen, ["", "boom", "hello 测试"]);
    assertEquals(drops, ["encoding", "oversized"]);
    assertEquals(ep.isOpen(), true);
  } finally {
    client.close();
    await ep.close();
  }
  assertEquals(ep.isOpen(), false);
});

Deno.test("endpoint: drain waits for the handler in flight, then drops new datagrams", async () => {
  let entered = false;
  let finished = 0;
  let release = () => {};
  const gate = new Promise<void>((r) => release = r);
  const ep = startEndpoint({
    hostname: "127.0.0.1",
    port: 0,
    log: quiet(),
    onDatagram: async () => {
      entered = true;
      await gate;
      finished++;
    },
  });
  const client = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const to = {
    transport: "udp" as const,
    hostname: "127.0.0.1",
    port: ep.port,
  };
  try {
    await client.send(new TextEncoder().encode("x"), to);
    for (let i = 0; i < 500 && !entered; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assertEquals(entered, true);
    const drained = ep.drain();
    assertEquals(finished, 0);
    release();
    await drained;
    assertEquals(finished, 1);
  } finally {
    client.close();
    await ep.close();
  }
});

Deno.test("endpoint: a refused source is dropped, not handled", async () => {
  const seen: string[] = [];
  const drops: string[] = [];
  const ep = startEndpoint({
    hostname: "127.0.0.1",
    port: 0,
    log: quiet(),
    allowSource: (ip) => ip === "10.0.0.1",
    onDatagram: (t) => {
      seen.push(t);
    },
    onDrop: (r) => drops.push(r),
  });
  const client = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    await client.send(new TextEncoder().encode("req:1;id:x;pass:y;"), {
      transport: "udp",
      hostname: "127.0.0.1",
      port: ep.port,
    });
    for (let i = 0; i < 500 && drops.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assertEquals(drops, ["source"]);
    assertEquals(seen, []);
  } finally {
    client.close();
    await ep.close();
  }
});

Deno.test("endpoint: send refuses a malformed address", async () => {
  const ep = startEndpoint({
    hostname: "127.0.0.1",
    port: 0,
    log: quiet(),
    onDatagram: () => {},
  });
  try {
    let msg = "";
    await ep.send("nonsense", "x").catch((e) => msg = e.message);
    assertEquals(msg, 'bad GoIP address "nonsense"');
  } finally {
    await ep.close();
  }
});

Deno.test("orderKey: one chain per line and address; replies share the address's", () => {
  const a = "127.0.0.1:9991";
  const cases: [string, string][] = [
    ["req:27;id:goip_1;pass:x;num:;", `${a} goip_1`],
    [
      "RECEIVE:1;id:goip_2;password:x;srcnum:+1;msg:a;id:goip_9;",
      `${a} goip_2`,
    ],
    ["DELIVER:5;id:goip_1;password:x;sms_no:3;state:0;num:+1", `${a} goip_1`],
    ["OK 1796054066 5 1", a],
    ["USSD 12 Balance;id:x; 5 EUR", a],
    ["garbage", a],
  ];
  for (const [text, want] of cases) assertEquals(orderKey(text, a), want, text);
});
