/**
 * Reconnect without resume (docs/resume.md): through a proxy that cuts the connection, a
 * client with `reconnect` redials with backoff, `conn.root` works again, the lost session's
 * netrefs and calls fail with `SessionLostError`, calls made while down wait and then go, and
 * a received Close or a local close() is final. Over TCP, Unix sockets and WebSocket (Node).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type Connection,
  type ConnectOptions,
  Service,
  SessionLostError,
  retryOnDisconnect,
} from "@rpyc/core";
import { connect, connectUnix, serve, type Server } from "@rpyc/transport-tcp";
import { connect as wsConnect } from "@rpyc/transport-ws";
import { serve as wsServe } from "@rpyc/transport-ws/server";
import { type CuttingProxy, nextEvent, startCuttingProxy } from "../src/index.ts";

class Counter {
  n = 0;
  next() {
    return ++this.n;
  }
}

class CounterService extends Service {
  gate: Promise<void> | undefined;
  counter() {
    return new Counter();
  }
  add(a: number, b: number) {
    return a + b;
  }
  /** Never answers on its own (until its connection goes). */
  hang() {
    return new Promise(() => undefined);
  }
}

const FAST = { retries: 20, minDelayMs: 1, maxDelayMs: 20, jitter: 0.5 };
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  conn: Connection;
  proxy: CuttingProxy;
  server: { readonly connections: ReadonlySet<Connection> };
}

async function tcpSetup(options: ConnectOptions = {}): Promise<Setup> {
  const server: Server = await serve(CounterService);
  const proxy = await startCuttingProxy(server.port);
  const conn = await connect("127.0.0.1", proxy.port, { reconnect: FAST, ...options });
  cleanups.push(
    () => server.close({ timeout: 0 }),
    () => proxy.close(),
    () => conn.close(),
  );
  return { conn, proxy, server };
}

/** The leak check: both sides' tables at baseline, one live server connection. */
async function expectBaseline(setup: Setup): Promise<void> {
  await vi.waitFor(() => {
    expect(setup.conn.stats()).toEqual({
      exported: 0,
      imported: 0,
      pending: 0,
      held: 0,
      heldByPeer: 0,
    });
    expect(setup.server.connections.size).toBe(1);
    for (const peer of setup.server.connections)
      expect(peer.stats()).toEqual({
        exported: 0,
        imported: 0,
        pending: 0,
        held: 0,
        heldByPeer: 0,
      });
  });
}

async function cutAndWait(setup: Setup) {
  const disconnected = nextEvent(setup.conn, "disconnect");
  const reconnected = nextEvent(setup.conn, "reconnect");
  await setup.proxy.cut();
  const [error] = await disconnected;
  const [info] = await reconnected;
  return { error, info };
}

describe.each([
  ["tcp", tcpSetup],
  [
    "unix",
    async (options: ConnectOptions = {}): Promise<Setup> => {
      const dir = mkdtempSync(join(tmpdir(), "rpyc-reconnect-"));
      const server = await serve(CounterService, { path: join(dir, "server.sock") });
      const proxy = await startCuttingProxy(
        { path: join(dir, "server.sock") },
        { path: join(dir, "proxy.sock") },
      );
      const conn = await connectUnix(join(dir, "proxy.sock"), { reconnect: FAST, ...options });
      cleanups.push(
        () => rmSync(dir, { recursive: true, force: true }),
        () => server.close({ timeout: 0 }),
        () => proxy.close(),
        () => conn.close(),
      );
      return { conn, proxy, server };
    },
  ],
  [
    "ws",
    async (options: ConnectOptions = {}): Promise<Setup> => {
      const server = await wsServe(CounterService, { port: 0 });
      const proxy = await startCuttingProxy(server.port);
      const conn = await wsConnect(server.url.replace(`:${server.port}`, `:${proxy.port}`), {
        reconnect: FAST,
        ...options,
      });
      cleanups.push(
        () => server.close({ timeout: 0 }),
        () => proxy.close(),
        () => conn.close(),
      );
      return { conn, proxy, server };
    },
  ],
] as const)("reconnect over %s", (_name, setupOf) => {
  it("redials after a cut: root works again, the old session's netrefs and calls fail with SessionLostError", async () => {
    const setup = await setupOf();
    const { conn } = setup;
    const counter = await conn.root.counter();
    expect(await counter.next()).toBe(1);
    const inFlight = Promise.resolve(conn.root.hang());
    inFlight.catch(() => undefined); // it rejects during the cut, before the expect below
    const { error, info } = await cutAndWait(setup);
    expect(error).toBeInstanceOf(Error);
    expect(info).toMatchObject({ resumed: false });
    expect(info.attempts).toBeGreaterThanOrEqual(1);
    await expect(inFlight).rejects.toBeInstanceOf(SessionLostError);
    await expect(inFlight).rejects.toMatchObject({ code: "RPYC_ERR_SESSION_LOST" });
    await expect(Promise.resolve(counter.next())).rejects.toMatchObject({
      code: "RPYC_ERR_SESSION_LOST",
    });
    expect(String(counter)).toContain("session lost");
    // Passing a dead netref is refused too (it is not exported as a local object).
    await expect(Promise.resolve(conn.root.add(counter, 1))).rejects.toBeInstanceOf(
      SessionLostError,
    );
    expect(await conn.root.add(2, 3)).toBe(5);
    const again = await conn.root.counter();
    expect(await again.next()).toBe(1);
    again[Symbol.dispose]();
    await expectBaseline(setup);
  });

  it("queues calls made while down and sends them once back", async () => {
    const setup = await setupOf();
    const { conn, proxy } = setup;
    const disconnected = nextEvent(conn, "disconnect");
    proxy.refuse = true;
    await proxy.cut();
    await disconnected;
    expect(conn.attached).toBe(false);
    const queued = [conn.root.add(1, 1), conn.root.add(2, 2)].map((p) => Promise.resolve(p));
    expect(conn.stats().pending).toBe(2);
    const back = nextEvent(conn, "reconnect");
    proxy.refuse = false;
    await back;
    expect(await Promise.all(queued)).toEqual([2, 4]);
    await expectBaseline(setup);
  });

  it("retryOnDisconnect re-derives from root after a lost session", async () => {
    const setup = await setupOf();
    const { conn, proxy } = setup;
    let runs = 0;
    const result = await retryOnDisconnect(
      async () => {
        runs++;
        const counter = await conn.root.counter();
        if (runs === 1) {
          // The session goes under this run: wait until the client noticed.
          const disconnected = nextEvent(conn, "disconnect");
          await proxy.cut();
          await disconnected;
        }
        try {
          return await counter.next();
        } finally {
          counter[Symbol.dispose]();
        }
      },
      { attempts: 3, connection: conn },
    );
    expect(result).toBe(1);
    expect(runs).toBe(2);
    await expectBaseline(setup);
  });
});

describe("reconnect: what is final", () => {
  it("gives up after `retries` redials: reconnectFailed, then close; waiting calls reject", async () => {
    const setup = await tcpSetup({ reconnect: { retries: 3, minDelayMs: 1, maxDelayMs: 4 } });
    const { conn, proxy } = setup;
    proxy.refuse = true;
    const failed = nextEvent(conn, "reconnectFailed");
    const closed = nextEvent(conn, "close");
    const disconnected = nextEvent(conn, "disconnect");
    await proxy.cut();
    await disconnected;
    const waiting = Promise.resolve(conn.root.add(1, 2));
    waiting.catch(() => undefined);
    await failed;
    const [error] = await closed;
    expect(error).toBeInstanceOf(Error);
    expect(conn.closed).toBe(true);
    await expect(waiting).rejects.toMatchObject({ code: "RPYC_ERR_CONNECTION_CLOSED" });
    expect(proxy.accepted).toBe(1 + 3);
  });

  it("a Close from the server is final: no redial", async () => {
    const setup = await tcpSetup();
    const { conn, proxy, server } = setup;
    const closed = nextEvent(conn, "close");
    let redialed = false;
    conn.on("disconnect", () => (redialed = true));
    for (const peer of server.connections) await peer.close();
    await closed;
    expect(redialed).toBe(false);
    expect(proxy.accepted).toBe(1);
  });

  it("a local close() is final, even while redialing", async () => {
    const setup = await tcpSetup();
    const { conn, proxy } = setup;
    proxy.refuse = true;
    const disconnected = nextEvent(conn, "disconnect");
    await proxy.cut();
    await disconnected;
    await conn.close();
    expect(conn.closed).toBe(true);
    const accepted = proxy.accepted;
    proxy.refuse = false;
    await expect(conn.root.add(1, 2)).rejects.toMatchObject({ code: "RPYC_ERR_CONNECTION_CLOSED" });
    expect(proxy.accepted).toBe(accepted);
  });

  it("without `reconnect`, a cut closes the connection as before", async () => {
    const server = await serve(CounterService);
    const proxy = await startCuttingProxy(server.port);
    const conn = await connect("127.0.0.1", proxy.port);
    cleanups.push(
      () => server.close({ timeout: 0 }),
      () => proxy.close(),
    );
    const closed = nextEvent(conn, "close");
    await proxy.cut();
    await closed;
    expect(conn.closed).toBe(true);
  });
});
