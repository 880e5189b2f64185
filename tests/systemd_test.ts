/**
 * `--install`, `--list`, `--uninstall` through the real CLI (`deno run` with
 * goippy's own flags), into a temp GOIPPY_ROOT, with recording fakes of
 * `systemctl` and `useradd` first in PATH.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { goippyRunFlags, MAIN_TS } from "../scripts/flags.ts";
import {
  installService,
  listServices,
  uninstallService,
} from "../src/systemd/install.ts";
import { instanceFor, unitText } from "../src/systemd/unit.ts";
import { type CliResult, goippy } from "./support/cli.ts";

// Both fakes refuse to run without a GOIPPY_ROOT: an empty one would make
// them write into the real /etc of the machine running the tests.
const FAKE_SYSTEMCTL = `#!/bin/sh
[ -n "$GOIPPY_ROOT" ] && [ "$GOIPPY_ROOT" != / ] || { echo "fake systemctl: no GOIPPY_ROOT" >&2; exit 99; }
echo "$*" >> "$GOIPPY_ROOT/systemctl.log"
case "$1" in
  is-enabled) if [ -n "$FAIL_IS_ENABLED" ]; then echo disabled; exit 1; fi; echo enabled ;;
  is-active) echo active ;;
  enable) if [ -n "$FAIL_ENABLE" ]; then echo "Failed to enable unit: boom" >&2; exit 1; fi ;;
esac
exit 0
`;

const FAKE_USERADD = `#!/bin/sh
[ -n "$GOIPPY_ROOT" ] && [ "$GOIPPY_ROOT" != / ] || { echo "fake useradd: no GOIPPY_ROOT" >&2; exit 99; }
echo "$*" >> "$GOIPPY_ROOT/useradd.log"
mkdir -p "$GOIPPY_ROOT/etc"
echo "goippy:x:$(id -u):$(id -g):goippy:/var/lib/goippy:/usr/sbin/nologin" >> "$GOIPPY_ROOT/etc/passwd"
`;

interface Sandbox {
  root: string;
  bin: string;
  dir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function sandbox(): Promise<Sandbox> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-systemd-" });
  const root = `${dir}/root`;
  const bin = `${dir}/bin`;
  await Deno.mkdir(root);
  await Deno.mkdir(bin);
  await Deno.writeTextFile(`${bin}/systemctl`, FAKE_SYSTEMCTL, { mode: 0o755 });
  await Deno.writeTextFile(`${bin}/useradd`, FAKE_USERADD, { mode: 0o755 });
  const env = {
    GOIPPY_ROOT: root,
    PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
  };
  return {
    root,
    bin,
    dir,
    env,
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

/** The real CLI in the sandbox (its PATH and GOIPPY_ROOT). */
function cli(
  sb: Sandbox,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
  return goippy(args, { env: { ...sb.env, ...extraEnv } });
}

async function readLines(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

const mode = async (p: string) => (await Deno.stat(p)).mode! & 0o777;

async function verifyUnit(text: string, name: string): Promise<string | null> {
  const dir = await Deno.makeTempDir({ prefix: "goippy-verify-" });
  try {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    const out = await new Deno.Command("systemd-analyze", {
      args: ["verify", `${dir}/${name}`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return `exit ${out.code}\n${dec.decode(out.stdout)}${
      dec.decode(out.stderr)
    }`;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("--install writes unit, config 0600 and state dir, then enables it", async () => {
  const sb = await sandbox();
  try {
    const res = await cli(sb, ["--install"]);
    assertEquals(res.code, 0, res.stderr);
    const unitPath = `${sb.root}/etc/systemd/system/goippy.service`;
    const unit = await Deno.readTextFile(unitPath);
    assertEquals(await mode(unitPath), 0o644);
    const exec = unit.split("\n").find((l) => l.startsWith("ExecStart="));
    assertEquals(
      exec,
      `ExecStart=${Deno.execPath()} run ${
        (await goippyRunFlags()).join(" ")
      } ${MAIN_TS} --config /etc/goippy.conf`,
    );
    assert(unit.includes("\nWorkingDirectory=/var/lib/goippy\n"));
    assert(unit.includes("\nEnvironment=DENO_DIR=/var/lib/goippy/.deno\n"));
    assert(unit.includes("\nProtectSystem=strict\n"));

    const conf = `${sb.root}/etc/goippy.conf`;
    assertEquals(await mode(conf), 0o600);
    const confText = await Deno.readTextFile(conf);
    assert(confText.includes('SQLITE_PATH = "/var/lib/goippy/goippy.sqlite3"'));
    const state = await Deno.stat(`${sb.root}/var/lib/goippy`);
    assert(state.isDirectory);
    assertEquals(state.mode! & 0o777, 0o750);
    assertEquals((await Deno.stat(conf)).uid, Deno.uid());

    assertEquals(await readLines(`${sb.root}/systemctl.log`), [
      "daemon-reload",
      "enable --now goippy.service",
    ]);
    const useradd = await readLines(`${sb.root}/useradd.log`);
    assertEquals(useradd.length, 1);
    assert(useradd[0].includes("--system"));
    assert(useradd[0].endsWith(" goippy"));
    assert(res.stdout.includes("installed goippy.service"), res.stdout);

    const verdict = await verifyUnit(unit, "goippy.service");
    if (verdict !== null) assertEquals(verdict, "exit 0\n");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("--install again keeps an edited config and reuses the user", async () => {
  const sb = await sandbox();
  try {
    assertEquals((await cli(sb, ["--install", "shop"])).code, 0);
    const conf = `${sb.root}/etc/goippy-shop.conf`;
    await Deno.writeTextFile(conf, 'LOG_LEVEL = "debug"\n');
    const again = await cli(sb, ["--install", "shop"]);
    assertEquals(again.code, 0, again.stderr);
    assertEquals(await Deno.readTextFile(conf), 'LOG_LEVEL = "debug"\n');
    assertEquals(await readLines(`${sb.root}/systemctl.log`), [
      "daemon-reload",
      "enable --now goippy-shop.service",
      "daemon-reload",
      "enable --now goippy-shop.service",
      "try-restart goippy-shop.service",
    ]);
    assertEquals((await readLines(`${sb.root}/useradd.log`)).length, 1);
    const unit = await Deno.readTextFile(
      `${sb.root}/etc/systemd/system/goippy-shop.service`,
    );
    assert(unit.includes("--config /etc/goippy-shop.conf\n"));
    assert(unit.includes("\nStateDirectory=goippy-shop\n"));
  } finally {
    await sb.cleanup();
  }
});

Deno.test("--list shows every goippy unit with config, enabled and active", async () => {
  const sb = await sandbox();
  try {
    const empty = await cli(sb, ["--list"]);
    assertEquals(empty.code, 0);
    assert(empty.stdout.includes("no goippy units installed"), empty.stdout);
    assertEquals((await cli(sb, ["--install"])).code, 0);
    assertEquals((await cli(sb, ["--install", "b"])).code, 0);
    await Deno.writeTextFile(
      `${sb.root}/etc/systemd/system/prosody.service`,
      "[Service]\nExecStart=/bin/true\n",
    );
    const res = await cli(sb, ["--list"], { FAIL_IS_ENABLED: "1" });
    assertEquals(res.code, 0, res.stderr);
    const rows = res.stdout.trim().split("\n").map((l) => l.split(/\s+/));
    assertEquals(rows, [
      ["UNIT", "CONFIG", "ENABLED", "ACTIVE"],
      ["goippy-b.service", "/etc/goippy-b.conf", "disabled", "active"],
      ["goippy.service", "/etc/goippy.conf", "disabled", "active"],
    ]);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("--uninstall stops, disables and removes the unit but keeps config and data", async () => {
  const sb = await sandbox();
  try {
    assertEquals((await cli(sb, ["--install", "x"])).code, 0);
    await Deno.writeTextFile(
      `${sb.root}/var/lib/goippy-x/goippy.sqlite3`,
      "db",
    );
    await Deno.remove(`${sb.root}/systemctl.log`);
    const res = await cli(sb, ["--uninstall", "x"]);
    assertEquals(res.code, 0, res.stderr);
    assertEquals(await readLines(`${sb.root}/systemctl.log`), [
      "disable --now goippy-x.service",
      "daemon-reload",
    ]);
    let gone = false;
    try {
      await Deno.stat(`${sb.root}/etc/systemd/system/goippy-x.service`);
    } catch (err) {
      gone = err instanceof Deno.errors.NotFound;
    }
    assert(gone, "unit file still there");
    assert((await Deno.stat(`${sb.root}/etc/goippy-x.conf`)).isFile);
    assertEquals(
      await Deno.readTextFile(`${sb.root}/var/lib/goippy-x/goippy.sqlite3`),
      "db",
    );
    assert(res.stdout.includes("kept the config"), res.stdout);
    assert(res.stdout.includes(`${sb.root}/etc/goippy-x.conf`), res.stdout);

    const twice = await cli(sb, ["--uninstall", "x"]);
    assertEquals(twice.code, 1);
    assert(twice.stderr.includes("goippy-x.service is not installed"));
  } finally {
    await sb.cleanup();
  }
});

Deno.test("--install refuses a bad postfix and reports a failing systemctl", async () => {
  const sb = await sandbox();
  try {
    const bad = await cli(sb, ["--install", "../etc"]);
    assertEquals(bad.code, 1);
    assert(bad.stderr.includes('postfix "../etc" is not allowed'), bad.stderr);
    const failing = await cli(sb, ["--install"], { FAIL_ENABLE: "1" });
    assertEquals(failing.code, 1);
    assert(
      failing.stderr.includes("systemctl enable --now goippy.service failed"),
      failing.stderr,
    );
    assert(failing.stderr.includes("boom"), failing.stderr);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("installService from a compiled binary copies it to /usr/local/bin", async () => {
  const sb = await sandbox();
  try {
    const fakeBinary = `${sb.dir}/goippy-build`;
    await Deno.writeTextFile(fakeBinary, "#!/bin/sh\necho goippy\n", {
      mode: 0o700,
    });
    const out: string[] = [];
    const code = await installService("", {
      execPath: fakeBinary,
      ctx: {
        env: sb.env,
        uid: Deno.uid(),
        out: (l) => out.push(l),
        err: (l) => out.push(l),
      },
    });
    assertEquals(code, 0, out.join("\n"));
    const target = `${sb.root}/usr/local/bin/goippy`;
    assertEquals(await Deno.readTextFile(target), "#!/bin/sh\necho goippy\n");
    assertEquals(await mode(target), 0o755);
    const unit = await Deno.readTextFile(
      `${sb.root}/etc/systemd/system/goippy.service`,
    );
    assert(
      unit.includes(
        "\nExecStart=/usr/local/bin/goippy --config /etc/goippy.conf\n",
      ),
    );
    assert(!unit.includes("DENO_DIR"), "a compiled binary needs no Deno cache");
    // systemd-analyze checks that ExecStart exists: verify the same unit with
    // the binary's temp path in place of /usr/local/bin/goippy.
    const verdict = await verifyUnit(
      unitText({
        instance: instanceFor(""),
        execStart: [target, "--config", "/etc/goippy.conf"],
      }),
      "goippy.service",
    );
    if (verdict !== null) assertEquals(verdict, "exit 0\n");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("without root and without GOIPPY_ROOT every service command refuses", async () => {
  const errs: string[] = [];
  const ctx = {
    env: { PATH: "/nonexistent" },
    uid: 1000,
    out: (l: string) => errs.push(`out: ${l}`),
    err: (l: string) => errs.push(l),
  };
  assertEquals(await installService("", { ctx }), 1);
  assertEquals(await uninstallService("", { ctx }), 1);
  assertEquals(await listServices({ ctx }), 1);
  assertEquals(errs.length, 3);
  for (const e of errs) assert(e.startsWith("must be run as root"), e);
});
