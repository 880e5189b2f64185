/**
 * `deno task compile`: with no runtime to build on (no DENORT_BIN, no cached
 * denort, dl.deno.land unreachable, as on the build machines) it must fail
 * loudly and say how to build; a bad DENORT_BIN is refused; with a real
 * denort (env GOIPPY_TEST_DENORT_BIN) the binary must run `--version`.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";

const REPO = new URL("..", import.meta.url).pathname;

async function compileTask(
  output: string,
  env: Record<string, string | undefined>,
) {
  const full = Deno.env.toObject();
  delete full.DENORT_BIN;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete full[k];
    else full[k] = v;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "compile", "--output", output],
    cwd: REPO,
    env: { ...full, NO_COLOR: "1" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function version(binary: string): Promise<string> {
  const out = await new Deno.Command(binary, {
    args: ["--version"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

async function inTemp(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "goippy-compile-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("compile without DENORT_BIN either builds a working binary or says how to", async () => {
  await inTemp(async (dir) => {
    const out = `${dir}/goippy`;
    const res = await compileTask(out, {});
    if (res.code === 0) {
      // A connected machine: the binary must really be goippy.
      assert((await version(out)).startsWith("goippy "));
      return;
    }
    assertEquals(res.code, 1);
    assert(res.stderr.includes("cannot build goippy"), res.stderr);
    assert(res.stderr.includes("DENORT_BIN=/path/to/denort"), res.stderr);
    assert(res.stderr.includes("`deno task compile` there"), res.stderr);
    assert(!(await exists(out)), "no binary may be left behind");
  });
});

Deno.test("compile refuses a DENORT_BIN that does not exist", async () => {
  await inTemp(async (dir) => {
    const res = await compileTask(`${dir}/goippy`, {
      DENORT_BIN: `${dir}/nope/denort`,
    });
    assertEquals(res.code, 1);
    assert(
      res.stderr.includes(`DENORT_BIN=${dir}/nope/denort does not exist`),
      res.stderr,
    );
    assert(!(await exists(`${dir}/goippy`)));
  });
});

Deno.test("compile rejects a DENORT_BIN that is not a denort (the deno CLI)", async () => {
  await inTemp(async (dir) => {
    const res = await compileTask(`${dir}/goippy`, {
      DENORT_BIN: Deno.execPath(),
    });
    assertEquals(res.code, 1);
    assert(res.stderr.includes("does not run goippy"), res.stderr);
    assert(res.stderr.includes("not a denort"), res.stderr);
    assert(!(await exists(`${dir}/goippy`)), "the bad binary is removed");
  });
});

Deno.test({
  name: "compile with a real denort builds a binary that runs --version",
  ignore: !Deno.env.get("GOIPPY_TEST_DENORT_BIN"),
  async fn() {
    await inTemp(async (dir) => {
      const out = `${dir}/goippy`;
      const res = await compileTask(out, {
        DENORT_BIN: Deno.env.get("GOIPPY_TEST_DENORT_BIN"),
      });
      assertEquals(res.code, 0, res.stderr);
      const text = await version(out);
      assert(text.startsWith("goippy "), text);
      assert(text.includes(`deno ${Deno.version.deno}`), text);
      assert(text.includes("sqlite"), text);
    });
  },
});
