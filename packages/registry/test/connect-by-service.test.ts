/**
 * connectByService's logic (order, skipping, error reporting) over real TCP sockets with a plain
 * `net` connector. The end-to-end test with @rpyc/transport-tcp is in discovery-e2e.test.ts.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  connectByService,
  createUdpRegistryClient,
  DiscoveryError,
  RegistryUnreachableError,
  serveRegistry,
  type RegistryServer,
} from "../src/index.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function registry() {
  const server: RegistryServer = await serveRegistry({ mode: "udp", host: "127.0.0.1", port: 0 });
  cleanups.push(() => server.close());
  return createUdpRegistryClient({ host: "127.0.0.1", port: server.port });
}

async function liveTcpPort(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

async function deadTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A connector over plain sockets: resolves with the socket once connected. */
function netConnect(tried: string[]) {
  return (host: string, port: number) =>
    new Promise<net.Socket>((resolve, reject) => {
      tried.push(`${host}:${port}`);
      const socket = net.connect(port, host);
      socket.once("connect", () => {
        cleanups.push(async () => void socket.destroy());
        resolve(socket);
      });
      socket.once("error", reject);
    });
}

describe("connectByService", () => {
  it("skips a dead endpoint and connects to the live one (newest first by default)", async () => {
    const client = await registry();
    const live = await liveTcpPort();
    const dead = await deadTcpPort();
    await client.register(["TIME"], live);
    await client.register(["TIME"], dead); // newest: tried first, and refused
    const tried: string[] = [];
    const socket = await connectByService("time", { registry: client, connect: netConnect(tried) });
    expect(socket.remotePort).toBe(live);
    expect(tried).toEqual([`127.0.0.1:${dead}`, `127.0.0.1:${live}`]);
  });

  it("keeps the registry's order with order: 'oldest'", async () => {
    const client = await registry();
    const [a, b] = [await liveTcpPort(), await liveTcpPort()];
    await client.register(["TIME"], a);
    await client.register(["TIME"], b);
    const tried: string[] = [];
    await connectByService("TIME", {
      registry: client,
      connect: netConnect(tried),
      order: "oldest",
    });
    expect(tried).toEqual([`127.0.0.1:${a}`]);
  });

  it("fails with a DiscoveryError listing every endpoint tried when none answers", async () => {
    const client = await registry();
    const [d1, d2] = [await deadTcpPort(), await deadTcpPort()];
    await client.register(["TIME"], d1);
    await client.register(["TIME"], d2);
    const err = await connectByService("TIME", { registry: client, connect: netConnect([]) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DiscoveryError);
    expect(err).not.toBeInstanceOf(RegistryUnreachableError);
    expect(err).toMatchObject({ code: "RPYC_ERR_DISCOVERY", service: "TIME" });
    expect((err as Error).message).toBe(
      `every server registered for service TIME failed: 127.0.0.1:${d2} (connect ECONNREFUSED 127.0.0.1:${d2}), 127.0.0.1:${d1} (connect ECONNREFUSED 127.0.0.1:${d1})`,
    );
    expect((err as DiscoveryError).attempts.map((a) => a.port)).toEqual([d2, d1]);
    expect((err as Error).cause).toBeInstanceOf(AggregateError);
  });

  it("fails with a DiscoveryError when nothing is registered under the name", async () => {
    const client = await registry();
    const err = await connectByService("nope", { registry: client, connect: netConnect([]) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DiscoveryError);
    expect((err as Error).message).toMatch(/no server is registered for service NOPE/);
  });
});
