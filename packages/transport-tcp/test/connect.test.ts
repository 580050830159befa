import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect as netConnect, createServer, type Socket } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectError, connect } from "../src/index.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A free port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A listener that never accepts, with a backlog of 0 and its one queue slot taken: the kernel
 * drops further SYNs, so a connect attempt times out (like an unreachable host). Node always
 * accepts, so the listener is a tiny python3 process.
 */
async function blackHole(): Promise<number> {
  const child: ChildProcess = spawn(
    "python3",
    [
      "-c",
      "import socket,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  cleanups.push(async () => {
    const exited = once(child, "exit");
    child.stdin!.end();
    await exited;
  });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const port = Number(line.toString().trim());
  const filler: Socket = netConnect({ host: "127.0.0.1", port });
  filler.on("error", () => {});
  cleanups.push(() => void filler.destroy());
  await once(filler, "connect");
  return port;
}

describe("connect", () => {
  it("fails at once with RPYC_ERR_CONNECT when the port is closed (no retry)", async () => {
    const port = await closedPort();
    const attempt = connect("127.0.0.1", port);
    await expect(attempt).rejects.toBeInstanceOf(ConnectError);
    await expect(attempt).rejects.toMatchObject({
      code: "RPYC_ERR_CONNECT",
      message: expect.stringContaining("ECONNREFUSED (is the server running"),
    });
  });

  it("retries timed-out attempts, then fails with RPYC_ERR_CONNECT_TIMEOUT", async () => {
    const port = await blackHole();
    const attempt = connect("127.0.0.1", port, { connectTimeoutMs: 100, attempts: 3 });
    await expect(attempt).rejects.toMatchObject({
      name: "ConnectError",
      code: "RPYC_ERR_CONNECT_TIMEOUT",
      message: expect.stringContaining("3 attempts timed out after 100 ms each"),
    });
  });

  it("says when the port serves something that is not rpyc-ts", async () => {
    const http = createHttpServer((_request, response) => response.end("hello"));
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    cleanups.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const { port } = http.address() as { port: number };
    await expect(connect("127.0.0.1", port, { attempts: 1 })).rejects.toMatchObject({
      name: "ConnectError",
      code: "RPYC_ERR_NOT_RPYC",
      message: expect.stringContaining("is it the right port"),
    });
  });

  it("names a bad host name", async () => {
    await expect(connect("no-such-host.invalid", 1, { attempts: 1 })).rejects.toMatchObject({
      code: "RPYC_ERR_CONNECT",
      message: expect.stringContaining("no-such-host.invalid:1"),
    });
  });
});
