/**
 * The rpyc-registry command, run from source in a real subprocess.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createTcpRegistryClient, createUdpRegistryClient } from "../src/index.ts";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
// The tests run concurrently (each pays the tsx start-up), so leftovers are killed at the end only.
afterAll(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function runCli(args: string[]) {
  const child = spawn(
    process.execPath,
    ["--conditions=@rpyc/source", "--import", "tsx", "src/cli.ts", ...args],
    {
      cwd: packageDir,
      stdio: "pipe",
    },
  );
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe.concurrent("rpyc-registry", () => {
  it.each(["udp", "tcp"] as const)(
    "--mode %s logs what registers and leaves, and stops on SIGTERM",
    async (mode) => {
      const cli = runCli(["--mode", mode, "--port", "0", "--timeout", "30", "--listing"]);
      const port = await vi.waitFor(
        () => {
          const match =
            /registry listening on (udp|tcp):\/\/127\.0\.0\.1:(\d+) \(prune after 30 s, listing on\)/.exec(
              cli.out(),
            );
          if (!match) throw new Error(`not listening yet: ${cli.out()}${cli.err()}`);
          return Number(match[2]);
        },
        { timeout: 8000, interval: 20 },
      );
      const options = { host: "127.0.0.1", port };
      const client =
        mode === "udp" ? createUdpRegistryClient(options) : createTcpRegistryClient(options);
      await client.register(["time", "clock"], 18861);
      expect(await client.listServices()).toEqual(["CLOCK", "TIME"]);
      await client.unregister(18861);
      await vi.waitFor(() => expect(cli.out()).toContain("- CLOCK 127.0.0.1:18861 (unregistered)"));
      expect(cli.out()).toContain("+ TIME 127.0.0.1:18861");
      expect(cli.out()).toContain("+ CLOCK 127.0.0.1:18861");
      cli.child.kill("SIGTERM");
      expect(await cli.exited).toBe(0);
      expect(cli.out()).toMatch(
        /SIGTERM: stopping\n.*stopped \(0 entries, 3 requests, 3 answered, 0 dropped\)/,
      );
      expect(cli.err()).toBe("");
    },
  );

  it("explains why it binds 127.0.0.1 in --help, and rejects bad options with exit code 2", async () => {
    const help = runCli(["--help"]);
    const bad = runCli(["--mode", "sctp"]); // both at once: each pays the tsx start-up
    expect(await help.exited).toBe(0);
    expect(help.out()).toMatch(/default: 127\.0\.0\.1\)\. RPyC's registry binds\s+every interface/);
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toContain("--mode must be udp or tcp (got 'sctp')");
  });
});
