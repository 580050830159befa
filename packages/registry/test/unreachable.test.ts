/**
 * A registry that is down, or silent, makes every client fail with RegistryUnreachableError
 * (a DiscoveryError) within its timeout: never a raw socket error, never a hang.
 */
import dgram from "node:dgram";
import net from "node:net";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import {
  createRedisRegistry,
  createTcpRegistryClient,
  createUdpRegistryClient,
  DiscoveryError,
  RegistryUnreachableError,
} from "../src/index.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A port with nothing listening: bind, read, close. */
async function deadUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

async function deadTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function expectUnreachable(promise: Promise<unknown>, pattern: RegExp) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryUnreachableError);
  expect(err).toBeInstanceOf(DiscoveryError);
  expect(err).toMatchObject({ code: "RPYC_ERR_REGISTRY_UNREACHABLE", service: "TIME" });
  expect((err as Error).message).toMatch(pattern);
}

describe("a registry that is down", () => {
  it("udp: nothing listening → RegistryUnreachableError (ICMP refusal, before the timeout)", async () => {
    const client = createUdpRegistryClient({
      host: "127.0.0.1",
      port: await deadUdpPort(),
      timeoutMs: 60_000,
    });
    await expectUnreachable(
      client.discover("time"),
      /no registry answered at udp:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED/,
    );
  });

  it("udp: a socket that never answers → RegistryUnreachableError after timeoutMs", async () => {
    const silent = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => silent.close(resolve)));
    const client = createUdpRegistryClient({
      host: "127.0.0.1",
      port: silent.address().port,
      timeoutMs: 100,
    });
    await expectUnreachable(client.discover("TIME"), /within 100 ms/);
  });

  it("tcp: connection refused → RegistryUnreachableError with the socket error as cause", async () => {
    const client = createTcpRegistryClient({
      host: "127.0.0.1",
      port: await deadTcpPort(),
      timeoutMs: 60_000,
    });
    const err = await client.discover("TIME").catch((e: unknown) => e);
    await expectUnreachable(
      Promise.reject(err),
      /cannot reach the registry at tcp:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    );
    expect((err as Error).cause).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("tcp: a server that accepts and never answers → RegistryUnreachableError after timeoutMs", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          silent.close(() => resolve());
        }),
    );
    const client = createTcpRegistryClient({
      host: "127.0.0.1",
      port: (silent.address() as net.AddressInfo).port,
      timeoutMs: 100,
    });
    await expectUnreachable(client.discover("TIME"), /no answer within 100 ms/);
  });

  it("redis: no server at the address → RegistryUnreachableError after timeoutMs", async () => {
    const redis = new Redis({
      path: "/nonexistent/rpyc-registry-test.sock",
      lazyConnect: false,
      retryStrategy: () => 50,
    });
    redis.on("error", () => {}); // ioredis reports each failed reconnect; the registry call reports the outcome
    cleanups.push(async () => redis.disconnect());
    const client = createRedisRegistry(redis, { timeoutMs: 100 });
    await expectUnreachable(client.discover("TIME"), /Redis did not answer within 100 ms/);
    await expect(client.register(["TIME"], 1001)).rejects.toBeInstanceOf(RegistryUnreachableError);
  });
});
