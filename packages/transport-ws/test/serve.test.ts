import { once } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { ConnectionClosedError, currentCall, Service, type Connection } from "@rpyc/core";
import { connect as connectGlobal } from "../src/index.ts";
import { connect } from "../src/node.ts";
import { serve, type WsServer } from "../src/server.ts";

class EchoService extends Service {
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

const servers: WsServer[] = [];
const clients: Connection[] = [];

async function start(options: Parameters<typeof serve>[1] = {}): Promise<WsServer> {
  const server = await serve(EchoService, options);
  servers.push(server);
  return server;
}

async function dial(url: string, options: Parameters<typeof connect>[1] = {}): Promise<Connection> {
  const conn = await connect(url, options);
  clients.push(conn);
  return conn;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((conn) => conn.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 0 })));
});

/** Status code of a refused upgrade to `url`. */
async function refusedStatus(url: string): Promise<number> {
  const ws = new WebSocket(url);
  ws.on("error", () => {}); // terminate() below reports the aborted handshake
  const [, response] = (await once(ws, "unexpected-response")) as [unknown, { statusCode: number }];
  ws.terminate();
  return response.statusCode;
}

describe("ws serve", () => {
  it("listens on 127.0.0.1 and a free port, and tracks live connections", async () => {
    const server = await start({ path: "/rpyc" });
    expect(server.host).toBe("127.0.0.1");
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}/rpyc`);
    const conn = await dial(server.url);
    await vi.waitFor(() => expect(server.connections.size).toBe(1), { timeout: 5000 });
    await conn.close();
    await vi.waitFor(() => expect(server.connections.size).toBe(0), { timeout: 5000 });
    expect(server.socketCount).toBe(0);
  });

  it("answers 404 on another path of its own port", async () => {
    const server = await start({ path: "/rpyc" });
    expect(await refusedStatus(`ws://127.0.0.1:${server.port}/other`)).toBe(404);
  });

  it("attaches to an existing http.Server at a path, leaving other paths to others", async () => {
    const http: HttpServer = createServer((_req, res) => res.end("page"));
    const other = new WebSocketServer({ noServer: true });
    http.on("upgrade", (request, socket, head) => {
      if (request.url === "/chat")
        other.handleUpgrade(request, socket, head, (ws) => ws.send("hi"));
    });
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const port = (http.address() as { port: number }).port;
    try {
      const server = await start({ server: http, path: "/rpyc" });
      const conn = await dial(`ws://127.0.0.1:${port}/rpyc`);
      await vi.waitFor(() => expect(server.connections.size).toBe(1), { timeout: 5000 });
      const chat = new WebSocket(`ws://127.0.0.1:${port}/chat`);
      const [message] = (await once(chat, "message")) as [Buffer];
      expect(message.toString()).toBe("hi");
      chat.close();
      await conn.close();
      await server.close();
      expect(http.listening).toBe(true); // the attached server is not ours to close
    } finally {
      other.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it("drops a client that sends a text message (binary only)", async () => {
    const server = await start();
    const ws = new WebSocket(server.url);
    await once(ws, "open");
    ws.send("not rpyc");
    const [code] = (await once(ws, "close")) as [number];
    expect(code).toBe(1003);
    await vi.waitFor(() => expect(server.socketCount).toBe(0), { timeout: 5000 });
  });

  it("refuses upgrades past maxConnections with 503", async () => {
    const server = await start({ maxConnections: 1 });
    await dial(server.url);
    expect(await refusedStatus(server.url)).toBe(503);
  });

  it("hands the authenticator's credentials to the connection, refuses with 401", async () => {
    const server = await start({
      authenticator: async (request) => {
        if (request.headers.authorization !== "Bearer good") throw new Error("bad token");
        return { user: "alice" };
      },
    });
    expect(await refusedStatus(server.url)).toBe(401);
    await dial(server.url, { headers: { authorization: "Bearer good" } });
    await vi.waitFor(() => expect(server.connections.size).toBe(1), { timeout: 5000 });
    expect([...server.connections][0]!.credentials).toEqual({ user: "alice" });
  });

  it("close() closes every connection and the port", async () => {
    const server = await start();
    const a = await dial(server.url);
    const b = await dial(server.url);
    await vi.waitFor(() => expect(server.connections.size).toBe(2), { timeout: 5000 });
    await server.close();
    await vi.waitFor(() => expect(a.closed && b.closed).toBe(true), { timeout: 5000 });
    expect(server.socketCount).toBe(0);
    await expect(connect(server.url)).rejects.toMatchObject({ code: "RPYC_ERR_CONNECT" });
  });
});

describe("ws serve: graceful close", () => {
  it("lets in-flight calls finish within the timeout", async () => {
    const server = await start();
    const conn = await dial(server.url);
    const call = conn.root.hold(100);
    await vi.waitFor(() => expect([...server.connections][0]?.serving).toBe(1), { timeout: 5000 });
    const closing = server.close({ timeout: 5000 });
    finishHeldCalls();
    await closing;
    await expect(call).resolves.toBe(100);
    await vi.waitFor(() => expect(conn.closed).toBe(true), { timeout: 5000 });
    expect(server.socketCount).toBe(0);
  });

  it("cuts calls still running at the timeout", async () => {
    const server = await start();
    const conn = await dial(server.url);
    const call = conn.root.hold(60_000);
    await vi.waitFor(() => expect([...server.connections][0]?.serving).toBe(1), { timeout: 5000 });
    await server.close({ timeout: 50 });
    await expect(call).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(server.socketCount).toBe(0);
  });
});

describe("connect (platform WebSocket)", () => {
  it("works with an injected WebSocket class", async () => {
    const server = await start();
    const conn = await connectGlobal(server.url, { WebSocket });
    clients.push(conn);
    await vi.waitFor(() => expect(server.connections.size).toBe(1), { timeout: 5000 });
  });

  it("says what to do when the runtime has no WebSocket", async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, "WebSocket");
    delete (globalThis as { WebSocket?: unknown }).WebSocket; // Node ≥ 22 has one
    try {
      await expect(connectGlobal("ws://127.0.0.1:1")).rejects.toMatchObject({
        code: "RPYC_ERR_NO_WEBSOCKET",
        message: expect.stringContaining("options.WebSocket"),
      });
    } finally {
      if (saved) Object.defineProperty(globalThis, "WebSocket", saved);
    }
  });

  it("refuses the options a browser WebSocket cannot honour, naming them", async () => {
    for (const options of [{ tls: { ca: "x" } }, { headers: { a: "b" } }]) {
      await expect(
        connectGlobal("ws://127.0.0.1:1", { WebSocket, ...options }),
      ).rejects.toMatchObject({
        code: "RPYC_ERR_NODE_ONLY_OPTION",
        message: expect.stringMatching(/options\.(tls|headers)/),
      });
    }
  });
});
