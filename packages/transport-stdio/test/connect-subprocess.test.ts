import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Connection } from "@rpyc/core";
import {
  childOf,
  connectSubprocess,
  SubprocessError,
  type ConnectSubprocessOptions,
} from "../src/index.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/echo-server.ts", import.meta.url));
/** Runs the TypeScript fixture on source, as the repo's docs say. */
const NODE_ARGS = ["--conditions=@rpyc/source", "--import", "tsx", FIXTURE];

const conns: Connection[] = [];

async function start(
  args: string[] = [],
  options: ConnectSubprocessOptions = {},
): Promise<Connection> {
  const conn = await connectSubprocess(process.execPath, [...NODE_ARGS, ...args], {
    stderr: "pipe",
    ...options,
  });
  conns.push(conn);
  return conn;
}

/** Resolves with the child's exit code and signal once it is reaped. */
function exited(conn: Connection): Promise<[number | null, NodeJS.Signals | null]> {
  const child = childOf(conn)!;
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve([child.exitCode, child.signalCode]);
  return once(child, "close") as Promise<[number | null, NodeJS.Signals | null]>;
}

afterEach(async () => {
  for (const conn of conns.splice(0)) {
    await conn.close();
    await exited(conn);
  }
});

describe("connectSubprocess", () => {
  it("connects over the child's stdio; its console output goes to stderr", async () => {
    const conn = await start();
    const child = childOf(conn)!;
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await expect(conn.ping()).resolves.toBeGreaterThanOrEqual(0);
    await vi.waitFor(() => expect(stderr).toContain("console.log goes to stderr while serving"), {
      timeout: 5000,
    });
  });

  it("closing the connection ends the child (exit code 0, no signal)", async () => {
    const conn = await start();
    const done = exited(conn);
    await conn.close();
    await expect(done).resolves.toEqual([0, null]);
  });

  it("sends SIGTERM to a child that keeps running after its stdin closed", async () => {
    const conn = await start(["stubborn"], { terminateAfterMs: 50 });
    const done = exited(conn);
    await conn.close();
    await expect(done).resolves.toEqual([null, "SIGTERM"]);
  });

  it("sends SIGKILL to a child that ignores SIGTERM", async () => {
    const conn = await start(["stubborn", "ignore-term"], {
      terminateAfterMs: 50,
      killAfterMs: 50,
    });
    const done = exited(conn);
    await conn.close();
    await expect(done).resolves.toEqual([null, "SIGKILL"]);
  });

  it("closes the connection when the child dies", async () => {
    const conn = await start();
    const closed = new Promise<Error | undefined>((resolve) => conn.on("close", resolve));
    childOf(conn)!.kill("SIGKILL");
    await closed;
    expect(conn.closed).toBe(true);
  });

  it("names the bytes of a child that prints to stdout (not a frame-size error)", async () => {
    const script = 'process.stdout.write("hello, I am no server\\n"); setInterval(() => {}, 1000)';
    const attempt = connectSubprocess(process.execPath, ["-e", script]);
    await expect(attempt).rejects.toBeInstanceOf(SubprocessError);
    const error = (await attempt.catch((e: unknown) => e)) as SubprocessError;
    expect(error.code).toBe("RPYC_ERR_NOT_RPYC");
    expect(error.message).toContain('"hello, I am no s');
    expect(error.message).toContain("log to stderr");
    expect(error.message).not.toContain("maxFrameBytes");
  });

  it("a child that exits before the handshake: its exit code and the end of its stderr", async () => {
    const script = 'console.error("boom: no config file at /etc/nowhere"); process.exit(3)';
    const attempt = connectSubprocess(process.execPath, ["-e", script]);
    await expect(attempt).rejects.toMatchObject({
      name: "SubprocessError",
      code: "RPYC_ERR_SUBPROCESS_EXITED",
      message: expect.stringMatching(/exited with code 3 .*\n.*boom: no config file/s),
    });
  });

  it("a child killed before the handshake: the signal", async () => {
    const script = 'process.kill(process.pid, "SIGKILL")';
    await expect(connectSubprocess(process.execPath, ["-e", script])).rejects.toMatchObject({
      code: "RPYC_ERR_SUBPROCESS_EXITED",
      message: expect.stringContaining("was killed by SIGKILL"),
    });
  });

  it("fails with SubprocessError when the command cannot start", async () => {
    const attempt = connectSubprocess("/nonexistent/rpyc-server");
    await expect(attempt).rejects.toBeInstanceOf(SubprocessError);
    await expect(attempt).rejects.toMatchObject({ code: "RPYC_ERR_SPAWN" });
  });
});
