/**
 * What only the Redis backend does: real TTLs in Redis, the advertised host, the documented ACL.
 * (The shared client behaviour is in registry-client.test.ts.)
 */
import { Redis, type RedisOptions } from "ioredis";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRedisRegistry, RegistryError } from "../src/index.ts";
import { useRedisServer } from "./redis-fixture.ts";

const fixture = useRedisServer({ tcp: true });
const clients: Redis[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

function redis(options: RedisOptions = {}) {
  const client = new Redis({ path: fixture().socketPath, ...options });
  clients.push(client);
  return client;
}

describe("Redis registry backend", () => {
  it("lets a dead server's entries vanish from Redis itself, with no registry process and no reads", async () => {
    const admin = redis();
    const registry = createRedisRegistry(admin, { prefix: "{ttl}", ttlMs: 100 });
    await registry.register(["TIME"], 1001);
    expect(await admin.keys("{ttl}:*")).toHaveLength(3); // svc hash, endpoint set, names
    // No unregister, no discover: Redis expires the keys on its own.
    await vi.waitFor(async () => expect(await admin.keys("{ttl}:*")).toEqual([]), {
      timeout: 3000,
      interval: 25,
    });
    expect(await registry.discover("TIME")).toEqual([]);
  });

  it("re-registration refreshes the TTL of every key", async () => {
    const admin = redis();
    const registry = createRedisRegistry(admin, { prefix: "{refresh}", ttlMs: 60_000 });
    await registry.register(["TIME"], 1001);
    await admin.pexpire("{refresh}:svc:TIME", 10);
    await registry.register(["TIME"], 1001);
    expect(await admin.pttl("{refresh}:svc:TIME")).toBeGreaterThan(50_000);
  });

  it("advertises the local address of its Redis connection, or the host it is given", async () => {
    const overTcp = new Redis({ host: "127.0.0.1", port: fixture().port });
    clients.push(overTcp);
    const registry = createRedisRegistry(overTcp, { prefix: "{host}" });
    await registry.register(["TIME"], 1001);
    expect((await registry.discover("TIME")).map((e) => `${e.host}:${e.port}`)).toEqual([
      "127.0.0.1:1001",
    ]);
    const explicit = createRedisRegistry(overTcp, { prefix: "{host}", host: "10.1.2.3" });
    await explicit.register(["TIME"], 1002);
    expect((await registry.discover("TIME")).map((e) => `${e.host}:${e.port}`)).toEqual([
      "127.0.0.1:1001",
      "10.1.2.3:1002",
    ]);
    await explicit.unregister(1002); // only its own host's entry
    expect((await registry.discover("TIME")).map((e) => e.port)).toEqual([1001]);
  });

  it("works for an ACL user limited to the registry's keys and channel (the README's ACL), and nothing more", async () => {
    const admin = redis();
    const acl = [
      "on",
      ">s3cret-test-only",
      "resetkeys",
      "~{acl}:*",
      "resetchannels",
      "&{acl}:*",
      "-@all",
      "+evalsha",
      "+eval",
      "+ping",
      "+subscribe",
      "+publish",
      "+time",
      "+pttl",
      "+pexpire",
      "+exists",
      "+hget",
      "+hset",
      "+hdel",
      "+hgetall",
      "+sadd",
      "+smembers",
      "+del",
      "+zadd",
      "+zscore",
      "+zrem",
      "+zrange",
      "+zremrangebyscore",
      "+quit",
    ];
    await admin.call("ACL", "SETUSER", "registry", ...acl);
    // enableReadyCheck: false, since the user may not run INFO (ioredis's ready check).
    const limited = redis({
      username: "registry",
      password: "s3cret-test-only",
      enableReadyCheck: false,
    });
    const registry = createRedisRegistry(limited, { prefix: "{acl}" });
    const changes: string[] = [];
    const unwatch = await registry.watch((c) => changes.push(`${c.type} ${c.name}`));
    await registry.register(["TIME"], 1001);
    expect((await registry.discover("TIME")).map((e) => e.port)).toEqual([1001]);
    expect(await registry.listServices()).toEqual(["TIME"]);
    await registry.unregister(1001);
    await vi.waitFor(() => expect(changes).toEqual(["added TIME", "removed TIME"]));
    await unwatch();
    // The same user cannot touch another prefix: a coded error, not a crash.
    const other = createRedisRegistry(limited, { prefix: "{other}" });
    const err = await other.register(["TIME"], 1001).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ code: "RPYC_ERR_REGISTRY_REDIS" });
    expect((err as Error).message).toMatch(/NOPERM/);
  });
});
