/**
 * The floors, each in its own process like goippy (so none shares an event
 * loop with the load generator): the runtime's (`echo_server.ts`, a Deno UDP
 * echo that does not wait for one send before the next receive) and the
 * kernel's (`echo_c.c`, a recvfrom/sendto loop built with the system `cc`).
 *
 * @module
 */

/** An echo server in its own process. */
export interface EchoProcess {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** Start `bench/echo_server.ts` (the runtime's floor) as its own process. */
export function startEchoProcess(): Promise<EchoProcess> {
  return startFloor(Deno.execPath(), [
    "run",
    "--allow-net",
    "--unstable-net",
    new URL("./echo_server.ts", import.meta.url).pathname,
  ]);
}

/**
 * Build `bench/echo_c.c` into `dir` with `cc -O2` and start it (the kernel's
 * floor); a string says why not (e.g. no compiler).
 */
export async function startCEcho(dir: string): Promise<EchoProcess | string> {
  const exe = `${dir}/echo_c`;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("cc", {
      args: [
        "-O2",
        "-o",
        exe,
        new URL("./echo_c.c", import.meta.url).pathname,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (e) {
    return `C echo floor skipped: no C compiler (${(e as Error).message})`;
  }
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().slice(0, 300);
    return `C echo floor skipped: cc failed: ${err}`;
  }
  return await startFloor(exe, []);
}

async function startFloor(cmd: string, args: string[]): Promise<EchoProcess> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // gone
    }
    await child.status;
  };
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let out = "";
    let m: RegExpExecArray | null = null;
    while (!(m = /udp 127\.0\.0\.1:(\d+)/.exec(out))) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`echo server exited: ${out}`);
      out += value;
    }
    reader.releaseLock();
    void child.stdout.cancel().catch(() => {});
    return { pid: child.pid, port: Number(m[1]), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
