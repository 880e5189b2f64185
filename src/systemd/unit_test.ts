import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws,
} from "node:assert/strict";
import {
  configOfUnit,
  instanceFor,
  PostfixError,
  quoteArg,
  unitText,
} from "./unit.ts";
import { execStartFor, isDenoCli } from "./install.ts";
import { lookupPasswd, rootProblem } from "./system.ts";
import { isGoippyUnit } from "./list.ts";

Deno.test("instanceFor names the default and postfixed instances", () => {
  assertEquals(instanceFor(), {
    postfix: "",
    unitName: "goippy.service",
    configPath: "/etc/goippy.conf",
    stateDirName: "goippy",
    stateDir: "/var/lib/goippy",
  });
  assertEquals(instanceFor("shop-2"), {
    postfix: "shop-2",
    unitName: "goippy-shop-2.service",
    configPath: "/etc/goippy-shop-2.conf",
    stateDirName: "goippy-shop-2",
    stateDir: "/var/lib/goippy-shop-2",
  });
});

Deno.test("instanceFor refuses postfixes that would escape or break names", () => {
  for (
    const bad of ["../x", "a b", "-x", "a/b", "x.service", "é", "a".repeat(33)]
  ) {
    throws(
      () => instanceFor(bad),
      (e) => e instanceof PostfixError && e.message.includes("postfix"),
    );
  }
});

Deno.test("quoteArg leaves plain words and quotes the rest", () => {
  const table: [string, string][] = [
    ["/usr/local/bin/goippy", "/usr/local/bin/goippy"],
    ["--allow-net", "--allow-net"],
    ["/opt/my dir/main.ts", '"/opt/my dir/main.ts"'],
    ["50%", "50%%"],
    ["a$b", '"a$$b"'],
    ['say "hi"', '"say \\"hi\\""'],
  ];
  for (const [input, want] of table) assertEquals(quoteArg(input), want);
});

Deno.test("configOfUnit reads back the --config path, quoted or not", () => {
  for (const path of ["/etc/goippy-a.conf", "/etc/my goippy.conf"]) {
    const text = unitText({
      instance: instanceFor("a"),
      execStart: ["/usr/local/bin/goippy", "--config", path],
    });
    assertEquals(configOfUnit(text), path);
  }
  assertEquals(configOfUnit("[Service]\nExecStart=/bin/true\n"), "");
});

Deno.test("unitText carries the hardening and the state directory", () => {
  const text = unitText({
    instance: instanceFor("b"),
    execStart: ["/usr/local/bin/goippy", "--config", "/etc/goippy-b.conf"],
  });
  for (
    const line of [
      "ExecStart=/usr/local/bin/goippy --config /etc/goippy-b.conf",
      "User=goippy",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
      "Restart=on-failure",
      "StateDirectory=goippy-b",
      "WorkingDirectory=/var/lib/goippy-b",
      "ExecReload=/bin/kill -HUP $MAINPID",
      "WantedBy=multi-user.target",
    ]
  ) {
    assert(text.split("\n").includes(line), `missing line: ${line}`);
  }
  // V8 needs writable+executable memory; this must never be set.
  assert(!text.includes("MemoryDenyWriteExecute"));
  // The only writable place is the state directory.
  assert(!text.includes("ReadWritePaths"));
});

Deno.test("execStartFor: Deno itself runs main.ts with the flags; a binary runs from /usr/local/bin", () => {
  const flags = ["--allow-net", "--unstable-net"];
  assertEquals(
    execStartFor({
      execPath: "/usr/bin/deno",
      flags,
      mainTs: "/srv/goippy/main.ts",
      configPath: "/etc/goippy.conf",
    }),
    [
      "/usr/bin/deno",
      "run",
      "--allow-net",
      "--unstable-net",
      "/srv/goippy/main.ts",
      "--config",
      "/etc/goippy.conf",
    ],
  );
  assertEquals(
    execStartFor({
      execPath: "/home/me/goippy",
      flags,
      mainTs: "/x/main.ts",
      configPath: "/etc/goippy-a.conf",
    }),
    ["/usr/local/bin/goippy", "--config", "/etc/goippy-a.conf"],
  );
  assert(isDenoCli("/usr/lib/node_modules/deno/deno"));
  assert(!isDenoCli("/usr/local/bin/goippy"));
});

Deno.test("rootProblem: root, or GOIPPY_ROOT, is needed", () => {
  assertEquals(rootProblem({ env: {}, uid: 0 }), null);
  assertEquals(
    rootProblem({ env: { GOIPPY_ROOT: "/tmp/r" }, uid: 1000 }),
    null,
  );
  const msg = rootProblem({ env: {}, uid: 1000 });
  assert(msg?.startsWith("must be run as root"), String(msg));
});

Deno.test("lookupPasswd finds uid and gid", () => {
  const passwd = "root:x:0:0:root:/root:/bin/bash\n" +
    "goippy:x:998:997:goippy:/var/lib/goippy:/usr/sbin/nologin\n";
  assertEquals(lookupPasswd(passwd, "goippy"), { uid: 998, gid: 997 });
  assertEquals(lookupPasswd(passwd, "goip"), undefined);
  assertEquals(lookupPasswd("broken line\n", "broken line"), undefined);
});

Deno.test("isGoippyUnit matches only goippy units", () => {
  assert(isGoippyUnit("goippy.service"));
  assert(isGoippyUnit("goippy-a_1.service"));
  assert(!isGoippyUnit("goippy.service.bak"));
  assert(!isGoippyUnit("goippyx.service"));
  assert(!isGoippyUnit("goippy-.service"));
  assert(!isGoippyUnit("prosody.service"));
});
