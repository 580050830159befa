import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConnectionClosedError, currentCall, Service, type Connection } from "@rpyc/core";
import {
  AuthenticationError,
  ConnectError,
  connect,
  connectUnix,
  serve,
  type Registrar,
  type Server,
} from "../src/index.ts";

class EchoService extends Service {
  static override aliases = ["parrot"];
  echo(value: unknown) {
    return value;
  }
  /** An in-flight call the test ends itself (`finishHeldCalls`); rejects when aborted. */
  hold(value: number): Promise<number> {
    const { signal } = currentCall();
    return new Promise((resolve, reject) => {
      heldCalls.push(() => resolve(value));
      signal.addEventListener("abort", () => reject(signal.reason));
    });
  }
}

const heldCalls: Array<() => void> = [];
function finishHeldCalls(): void {
  for (const finish of heldCalls.splice(0)) finish();
}

const servers: Server[] = [];
const clients: Connection[] = [];

async function start(options: Parameters<typeof serve>[1] = {}): Promise<Server> {
  const server = await serve(EchoService, options);
  servers.push(server);
  return server;
}

async function dial(
  server: Server,
  options: Parameters<typeof connect>[2] = {},
): Promise<Connection> {
  const conn = await connect(server.host!, server.port, options);
  clients.push(conn);
  return conn;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((conn) => conn.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 0 })));
});

describe("serve", () => {
  it("binds 127.0.0.1 on a free port by default and tracks live connections", async () => {
    const server = await start();
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
    const conn = await dial(server);
    await vi.waitFor(() => expect(server.connections.size).toBe(1), { timeout: 5000 });
    await conn.close(); // resolves once the client's socket is closed
    await vi.waitFor(() => expect(server.connections.size).toBe(0), { timeout: 5000 });
    await vi.waitFor(() => expect(server.socketCount).toBe(0), { timeout: 5000 });
  });

  it("sets TCP_NODELAY on both ends, and keepalive when asked", async () => {
    const noDelay = vi.spyOn(Socket.prototype, "setNoDelay");
    const keepAlive = vi.spyOn(Socket.prototype, "setKeepAlive");
    try {
      const server = await start({ keepAlive: 5000 });
      await dial(server, { keepAlive: true });
      await vi.waitFor(() => expect(server.connections.size).toBe(1), { timeout: 5000 });
      expect(noDelay.mock.calls.filter(([on]) => on === true).length).toBeGreaterThanOrEqual(2);
      expect(keepAlive.mock.calls).toEqual(
        expect.arrayContaining([
          [true, 5000],
          [true, 60_000],
        ]),
      );
    } finally {
      noDelay.mockRestore();
      keepAlive.mockRestore();
    }
  });

  it("serves IPv6", async () => {
    const server = await start({ host: "::1" });
    expect(server.host).toBe("::1");
    const conn = await dial(server);
    expect(conn.closed).toBe(false);
  });

  it("serves a Unix socket path and removes it on close", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rpyc-unix-"));
    const path = join(dir, "echo.sock");
    try {
      const server = await serve(EchoService, { path });
      expect(server.path).toBe(path);
      expect(server.host).toBeUndefined();
      const conn = await connectUnix(path);
      await vi.waitFor(() => expect(server.connections.size).toBe(1), { timeout: 5000 });
      await conn.close();
      await server.close();
      expect(existsSync(path)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("hands the authenticator's credentials to the connection", async () => {
    const server = await start({
      authenticator: (socket) => ({ user: "alice", peer: socket.remoteAddress }),
    });
    await dial(server);
    await vi.waitFor(() => expect(server.connections.size).toBe(1), { timeout: 5000 });
    const [conn] = [...server.connections];
    expect(conn!.credentials).toEqual({ user: "alice", peer: "127.0.0.1" });
  });

  it("refuses a client the authenticator rejects, with a clear error on the client", async () => {
    const errors: unknown[] = [];
    const server = await start({
      authenticator: async () => {
        throw new AuthenticationError("RPYC_ERR_AUTHENTICATION", "unknown client certificate");
      },
      onError: (error) => errors.push(error),
    });
    const attempt = dial(server);
    await expect(attempt).rejects.toBeInstanceOf(AuthenticationError);
    await expect(attempt).rejects.toMatchObject({
      code: "RPYC_ERR_AUTHENTICATION",
      message: expect.stringContaining("unknown client certificate"),
    });
    expect(errors).toHaveLength(1);
    await vi.waitFor(() => expect(server.socketCount).toBe(0), { timeout: 5000 });
    expect(server.connections.size).toBe(0);
  });

  it("keeps the message of any other authenticator error on the server", async () => {
    const errors: unknown[] = [];
    const server = await start({
      authenticator: () => {
        throw new Error("db password is hunter2");
      },
      onError: (error) => errors.push(error),
    });
    const failure = await dial(server).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(AuthenticationError);
    expect(failure!.message).toContain("the server's authenticator refused it");
    expect(failure!.message).not.toContain("hunter2");
    expect((errors[0] as Error).message).toBe("db password is hunter2");
  });

  it("refuses clients past maxConnections, and accepts again once one leaves", async () => {
    const server = await start({ maxConnections: 1 });
    const first = await dial(server);
    await expect(dial(server)).rejects.toMatchObject({ code: "RPYC_ERR_TOO_MANY_CONNECTIONS" });
    await first.close();
    await vi.waitFor(() => expect(server.socketCount).toBe(0), { timeout: 5000 });
    const again = await dial(server);
    expect(again.closed).toBe(false);
  });

  it("one-shot mode serves one connection, then closes", async () => {
    const server = await start({ oneShot: true });
    const conn = await dial(server);
    await expect(connect("127.0.0.1", server.port, { attempts: 1 })).rejects.toBeInstanceOf(
      ConnectError,
    );
    await conn.close();
    await server.closed;
    await expect(connect("127.0.0.1", server.port, { attempts: 1 })).rejects.toMatchObject({
      code: "RPYC_ERR_CONNECT",
    });
  });

  it("close() closes every connection and leaves no socket open", async () => {
    const server = await start();
    const a = await dial(server);
    const b = await dial(server);
    await vi.waitFor(() => expect(server.connections.size).toBe(2), { timeout: 5000 });
    await server.close();
    await vi.waitFor(() => expect(a.closed && b.closed).toBe(true), { timeout: 5000 });
    expect(server.socketCount).toBe(0);
    expect(server.connections.size).toBe(0);
    await expect(connect("127.0.0.1", server.port, { attempts: 1 })).rejects.toBeInstanceOf(
      ConnectError,
    );
  });

  it("close() lets in-flight calls finish within the timeout", async () => {
    const server = await start();
    const conn = await dial(server);
    const call = conn.root.hold(100);
    await vi.waitFor(() => expect([...server.connections][0]?.serving).toBe(1), { timeout: 5000 });
    const closing = server.close({ timeout: 5000 });
    finishHeldCalls();
    await closing;
    await expect(call).resolves.toBe(100);
    await vi.waitFor(() => expect(conn.closed).toBe(true), { timeout: 5000 });
    expect(server.socketCount).toBe(0);
  });

  it("close() cuts calls still running at the timeout", async () => {
    const server = await start();
    const conn = await dial(server);
    const call = conn.root.hold(60_000);
    await vi.waitFor(() => expect([...server.connections][0]?.serving).toBe(1), { timeout: 5000 });
    await server.close({ timeout: 50 });
    await expect(call).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(server.socketCount).toBe(0);
  });

  it("registers with the registrar, re-registers, retries quietly and unregisters on close", async () => {
    const calls: string[] = [];
    let failNext = true;
    const registrar: Registrar = {
      async register(names, port) {
        calls.push(`register ${names.join(",")} ${port}`);
        if (failNext) {
          failNext = false;
          throw new Error("registry down");
        }
      },
      async unregister(port) {
        calls.push(`unregister ${port}`);
      },
    };
    const errors: unknown[] = [];
    const server = await start({
      registrar,
      registerIntervalMs: 10,
      onError: (e) => errors.push(e),
    });
    await vi.waitFor(() => expect(calls.length).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    expect(calls[0]).toBe(`register ECHO,PARROT ${server.port}`);
    expect(errors).toHaveLength(1);
    await server.close();
    expect(calls.at(-1)).toBe(`unregister ${server.port}`);
  });
});
