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

  it("fails with SubprocessError when the command cannot start", async () => {
    const attempt = connectSubprocess("/nonexistent/rpyc-server");
    await expect(attempt).rejects.toBeInstanceOf(SubprocessError);
    await expect(attempt).rejects.toMatchObject({ code: "RPYC_ERR_SPAWN" });
  });
});
