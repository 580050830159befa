/**
 * One client suite, run over every backend: UDP registry, TCP registry, Redis.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RegistryError, type RegistryClient } from "../src/index.ts";
import {
  type Backend,
  type BackendFactory,
  PRUNE_TIMEOUT_MS,
  redisBackend,
  wireBackend,
} from "./backends.ts";
import { useRedisServer } from "./redis-fixture.ts";

const redis = useRedisServer();

const backends: [string, BackendFactory][] = [
  ["udp", wireBackend("udp")],
  ["tcp", wireBackend("tcp")],
  ["redis", redisBackend(redis)],
];

describe.each(backends)("registry client over %s", (_name, factory) => {
  let backend: Backend;
  let client: RegistryClient;
  beforeEach(async () => {
    backend = await factory();
    client = backend.client;
  });
  afterEach(async () => {
    await backend.close();
  });

  it("registers a port and discovers it under the name, in any case, at the source address", async () => {
    await client.register(["time"], 18861);
    const endpoints = await client.discover("Time");
    expect(endpoints.map(({ host, port }) => ({ host, port }))).toEqual([
      { host: "127.0.0.1", port: 18861 },
    ]);
    expect(typeof endpoints[0]?.lastSeen).toBe("number");
  });

  it("returns [] for a name nobody registered", async () => {
    await client.register(["TIME"], 18861);
    expect(await client.discover("CHAT")).toEqual([]);
  });

  it("keeps two services with aliases apart", async () => {
    await client.register(["TIME", "CLOCK"], 18861);
    await client.register(["CHAT"], 18862);
    expect((await client.discover("clock")).map((e) => e.port)).toEqual([18861]);
    expect((await client.discover("TIME")).map((e) => e.port)).toEqual([18861]);
    expect((await client.discover("chat")).map((e) => e.port)).toEqual([18862]);
    expect(await client.listServices()).toEqual(["CHAT", "CLOCK", "TIME"]);
    expect(await client.listServices("127.0.0.1")).toEqual(["CHAT", "CLOCK", "TIME"]);
    expect(await client.listServices("10.255.0.1")).toEqual([]);
  });

  it("lists endpoints oldest registration first; a refresh makes an endpoint the newest", async () => {
    await client.register(["TIME"], 1001);
    backend.advance(1000);
    await client.register(["TIME"], 1002);
    expect((await client.discover("TIME")).map((e) => e.port)).toEqual([1001, 1002]);
    backend.advance(1000);
    await client.register(["TIME"], 1001);
    expect((await client.discover("TIME")).map((e) => e.port)).toEqual([1002, 1001]);
  });

  it("unregisters a port under every name and leaves the others", async () => {
    await client.register(["TIME", "CLOCK"], 1001);
    await client.register(["TIME"], 1002);
    await client.unregister(1001);
    expect((await client.discover("TIME")).map((e) => e.port)).toEqual([1002]);
    expect(await client.discover("CLOCK")).toEqual([]);
    expect(await client.listServices()).toEqual(["TIME"]);
  });

  it("prunes registrations not refreshed within the timeout, and keeps refreshed ones", async () => {
    await client.register(["TIME"], 1001);
    await client.register(["TIME"], 1002);
    backend.advance(PRUNE_TIMEOUT_MS - 1000);
    await client.register(["TIME"], 1002); // the re-registration a live server does
    backend.advance(2000);
    expect((await client.discover("TIME")).map((e) => e.port)).toEqual([1002]);
    backend.advance(PRUNE_TIMEOUT_MS);
    expect(await client.discover("TIME")).toEqual([]);
    expect(await client.listServices()).toEqual([]);
  });

  it("reports added and removed entries (unregistered and pruned)", async () => {
    await client.register(["TIME", "CLOCK"], 1001);
    await client.register(["TIME"], 1001); // a refresh adds nothing
    await client.register(["CHAT"], 1002);
    await client.unregister(1001);
    backend.advance(PRUNE_TIMEOUT_MS + 1);
    await client.discover("CHAT");
    const seen = () =>
      backend.changes.map(
        (c) => `${c.type} ${c.name} ${c.host}:${c.port}${c.reason ? ` ${c.reason}` : ""}`,
      );
    await vi.waitFor(() => expect(seen()).toHaveLength(6)); // Redis delivers over pub/sub
    expect(seen().slice(0, 3)).toEqual([
      "added TIME 127.0.0.1:1001",
      "added CLOCK 127.0.0.1:1001",
      "added CHAT 127.0.0.1:1002",
    ]);
    // One UNREGISTER removes both names; their relative order is unspecified.
    expect(seen().slice(3, 5).sort()).toEqual([
      "removed CLOCK 127.0.0.1:1001 unregistered",
      "removed TIME 127.0.0.1:1001 unregistered",
    ]);
    expect(seen()[5]).toBe("removed CHAT 127.0.0.1:1002 pruned");
  });

  it("refuses names and ports that could never be valid, with a coded error", async () => {
    await expect(client.register([""], 1001)).rejects.toMatchObject({
      code: "RPYC_ERR_REGISTRY_BAD_REQUEST",
    });
    await expect(client.register([], 1001)).rejects.toBeInstanceOf(RegistryError);
    await expect(client.register(["TIME"], 0)).rejects.toMatchObject({
      code: "RPYC_ERR_REGISTRY_BAD_REQUEST",
    });
    await expect(client.register(["X".repeat(256)], 1001)).rejects.toMatchObject({
      code: "RPYC_ERR_REGISTRY_BAD_REQUEST",
    });
    await expect(client.discover("")).rejects.toMatchObject({
      code: "RPYC_ERR_REGISTRY_BAD_REQUEST",
    });
    expect(await client.listServices()).toEqual([]);
  });
});
