/**
 * The three registry backends behind one fixture shape, so one client suite runs over each:
 * a UDP registry, a TCP registry (both on 127.0.0.1, port 0) and Redis (a real redis-server).
 * Every backend runs on an injected clock: `advance(ms)` ages the entries without waiting.
 */
import { Redis } from "ioredis";
import {
  createRedisRegistry,
  createTcpRegistryClient,
  createUdpRegistryClient,
  serveRegistry,
  type RegistryChange,
  type RegistryClient,
} from "../src/index.ts";
import type { RedisFixture } from "./redis-fixture.ts";

export const PRUNE_TIMEOUT_MS = 240_000;

export interface Backend {
  readonly client: RegistryClient;
  /** Moves the injected clock forward. */
  advance(ms: number): void;
  /** Every added/removed change seen so far, in order. */
  readonly changes: (RegistryChange & { type: "added" | "removed" })[];
  close(): Promise<void>;
}

export type BackendFactory = () => Promise<Backend>;

function clock() {
  let t = 1_800_000_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

export function wireBackend(mode: "udp" | "tcp"): BackendFactory {
  return async () => {
    const { now, advance } = clock();
    const server = await serveRegistry({
      mode,
      host: "127.0.0.1",
      port: 0,
      now,
      pruneTimeoutMs: PRUNE_TIMEOUT_MS,
      pruneIntervalMs: 0,
      allowListing: true,
    });
    const changes: Backend["changes"] = [];
    server.on("added", (c) => changes.push({ type: "added", ...c }));
    server.on("removed", (c) => changes.push({ type: "removed", ...c }));
    const options = { host: "127.0.0.1", port: server.port, timeoutMs: 2000 };
    const client =
      mode === "udp" ? createUdpRegistryClient(options) : createTcpRegistryClient(options);
    return { client, advance, changes, close: () => server.close() };
  };
}

let prefixCounter = 0;

export function redisBackend(fixture: () => RedisFixture): BackendFactory {
  return async () => {
    const { now, advance } = clock();
    const redis = new Redis({ path: fixture().socketPath });
    // A fresh prefix per test: independent registries in one Redis.
    const client = createRedisRegistry(redis, {
      prefix: `{test:${process.pid}:${++prefixCounter}}`,
      ttlMs: PRUNE_TIMEOUT_MS,
      now,
    });
    const changes: Backend["changes"] = [];
    const unwatch = await client.watch((c) => changes.push(c));
    return {
      client,
      advance,
      changes,
      async close() {
        await unwatch();
        await redis.quit();
      },
    };
  };
}
