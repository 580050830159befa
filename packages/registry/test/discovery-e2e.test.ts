/**
 * End to end with real rpyc-ts servers from @rpyc/transport-tcp: connectByService skipping a
 * dead endpoint, servers registering themselves, a restarted registry repopulated by
 * re-registration, and close unregistering. Everything on 127.0.0.1, port 0.
 */
import { once } from "node:events";
import net from "node:net";
import { Service } from "@rpyc/core";
import { serve } from "@rpyc/transport-tcp";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import {
  connectByService,
  createRedisRegistry,
  createTcpRegistryClient,
  createUdpRegistryClient,
  DiscoveryError,
  serveRegistry,
  type RegistryServer,
} from "../src/index.ts";
import { useRedisServer } from "./redis-fixture.ts";

class TimeService extends Service {
  getTime() {
    return "12:00";
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function deadTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startRegistry(mode: "udp" | "tcp", port = 0): Promise<RegistryServer> {
  const registry = await serveRegistry({ mode, host: "127.0.0.1", port });
  cleanups.push(() => registry.close());
  return registry;
}

describe.each(["udp", "tcp"] as const)("discovery over %s with transport-tcp servers", (mode) => {
  const clientFor = (port: number) =>
    mode === "udp"
      ? createUdpRegistryClient({ host: "127.0.0.1", port })
      : createTcpRegistryClient({ host: "127.0.0.1", port });

  it("connectByService skips a dead endpoint and reaches the live server", async () => {
    const registry = await startRegistry(mode);
    const client = clientFor(registry.port);
    const server = await serve(TimeService, { host: "127.0.0.1", port: 0 });
    cleanups.push(() => server.close());
    const dead = await deadTcpPort();
    await client.register(["TIME"], server.port);
    await client.register(["TIME"], dead); // the newest: tried first, and refused

    const conn = await connectByService("time", { registry: client });
    expect(await conn.root.getTime()).toBe("12:00");
    expect(conn.stats()).toMatchObject({ exported: 0, imported: 0 });
    await conn.close();

    // With the live server gone too, the error names both endpoints.
    await server.close();
    const err = await connectByService("TIME", { registry: client }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscoveryError);
    expect((err as Error).message).toContain(`127.0.0.1:${dead} (`);
    expect((err as Error).message).toContain(`127.0.0.1:${server.port} (`);
  });

  it("a server registers itself; a restarted registry is repopulated by re-registration; close unregisters", async () => {
    const first = await startRegistry(mode);
    const port = first.port;
    const client = clientFor(port);
    const registeredFirst = once(first, "registered");
    const server = await serve(TimeService, {
      host: "127.0.0.1",
      port: 0,
      registrar: client,
      registerIntervalMs: 20,
    });
    cleanups.push(() => server.close());
    expect((await registeredFirst)[0]).toMatchObject({ names: ["TIME"], port: server.port });
    await first.close();

    // A new registry on the same port knows nothing until the server's next re-registration.
    const second = await startRegistry(mode, port);
    expect(second.stats().entries).toBe(0);
    const [registration] = await once(second, "registered");
    expect(registration).toMatchObject({ names: ["TIME"], port: server.port, added: ["TIME"] });
    const conn = await connectByService("TIME", { registry: client });
    expect(await conn.root.getTime()).toBe("12:00");
    await conn.close();

    const removed = once(second, "removed");
    await server.close();
    expect((await removed)[0]).toMatchObject({
      name: "TIME",
      port: server.port,
      reason: "unregistered",
    });
    expect(await client.discover("TIME")).toEqual([]);
  });
});

describe("discovery through Redis with transport-tcp servers", () => {
  const fixture = useRedisServer();

  it("a server registers in Redis, a client connects by name, and close unregisters", async () => {
    const redis = new Redis({ path: fixture().socketPath });
    cleanups.push(() => redis.quit());
    const registry = createRedisRegistry(redis, { prefix: "{e2e}" });
    const changes: string[] = [];
    let onAdded = () => {};
    const added = new Promise<void>((resolve) => (onAdded = resolve));
    const unwatch = await registry.watch((c) => {
      changes.push(`${c.type} ${c.name}:${c.port}`);
      if (c.type === "added") onAdded();
    });
    cleanups.push(unwatch);
    const server = await serve(TimeService, { host: "127.0.0.1", port: 0, registrar: registry });
    cleanups.push(() => server.close());
    await added;
    const conn = await connectByService("TIME", { registry });
    expect(await conn.root.getTime()).toBe("12:00");
    await conn.close();
    await server.close();
    expect(await registry.discover("TIME")).toEqual([]);
    expect(changes[0]).toBe(`added TIME:${server.port}`);
  });
});
