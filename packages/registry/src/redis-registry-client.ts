/**
 * The registry client API backed by Redis (ioredis): no registry process at all. Each entry has
 * a TTL, so a server that dies without unregistering disappears on its own; re-registration
 * refreshes the TTL. Changes are published on a channel for `watch`.
 */
import { createHash } from "node:crypto";
import { RegistryError, RegistryUnreachableError } from "./errors.ts";
import {
  DEFAULT_PRUNE_TIMEOUT_MS,
  DEFAULT_REGISTRY_LIMITS,
  DEFAULT_REGISTRY_TIMEOUT_MS,
  type RegistryLimits,
} from "./limits.ts";
import type { RegistryClient } from "./registry-client.ts";
import {
  type Endpoint,
  type RegistryChange,
  checkPort,
  normalizeHost,
  normalizeName,
  normalizeNames,
} from "./registry-table.ts";
import { LIST_SCRIPT, QUERY_SCRIPT, REGISTER_SCRIPT, UNREGISTER_SCRIPT } from "./redis-scripts.ts";

/**
 * The part of an ioredis `Redis` client this backend uses (ioredis 6 satisfies it), so the
 * package never imports ioredis itself: it stays an optional peer dependency.
 *
 * @example
 * const redis: RedisLike = new Redis({ path: "/run/redis/redis.sock" });
 */
export interface RedisLike {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  evalsha(sha1: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  ping(): Promise<unknown>;
  duplicate(): RedisSubscriberLike;
  readonly stream?: { readonly localAddress?: string | undefined } | undefined;
}

/**
 * The part of a duplicated ioredis client `watch` uses for pub/sub.
 *
 * @example
 * const subscriber: RedisSubscriberLike = redis.duplicate();
 */
export interface RedisSubscriberLike {
  subscribe(channel: string): Promise<unknown>;
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * Options of `createRedisRegistry`.
 *
 * @example
 * createRedisRegistry(redis, { prefix: "{staging:registry}", ttlMs: 90_000, host: "10.0.0.7" });
 */
export interface RedisRegistryOptions {
  /**
   * Key prefix; keep the `{…}` hash tag so every key lands in one Cluster slot. Registries with
   * different prefixes in one Redis are independent. Default "{rpyc:registry}".
   */
  readonly prefix?: string;
  /** Lifetime of a registration without a refresh (default 240 000 ms, like RPyC's pruning). */
  readonly ttlMs?: number;
  /**
   * The host other machines should connect to when this client registers. Default: the local
   * address of the Redis connection (the address this machine uses to reach Redis: the Redis
   * analogue of "the source address the registry sees"), or "127.0.0.1" over a Unix socket.
   */
  readonly host?: string;
  /**
   * How long one call may take before it fails with `RegistryUnreachableError` (default 2000 ms).
   * ioredis queues commands while it reconnects; without this bound a call could wait for
   * its `maxRetriesPerRequest` retries.
   */
  readonly timeoutMs?: number;
  readonly limits?: Partial<RegistryLimits>;
  /** Clock in ms since the epoch. Default: Redis's own TIME, so all clients share one clock. */
  readonly now?: () => number;
}

/**
 * The Redis-backed client: the common API plus change notifications.
 *
 * @example
 * const registry: RedisRegistryClient = createRedisRegistry(redis);
 * const unwatch = await registry.watch((c) => console.log(c.type, c.name));
 */
export interface RedisRegistryClient extends RegistryClient {
  /**
   * Calls `listener` for every (name, endpoint) added or removed (unregistered, or pruned by a
   * read; an entry that simply expires unseen is not announced). Uses a second connection
   * (`redis.duplicate()`); resolves once subscribed, to a function that unsubscribes and closes it.
   */
  watch(
    listener: (change: RegistryChange & { type: "added" | "removed" }) => void,
  ): Promise<() => Promise<void>>;
}

/**
 * Creates a registry client backed by Redis.
 *
 * @example
 * import { Redis } from "ioredis";
 * const redis = new Redis({ host: "127.0.0.1", port: 6379 });
 * const registry = createRedisRegistry(redis, { ttlMs: 240_000 });
 * await registry.register(["TIME"], 18861);
 * console.log(await registry.discover("TIME"));
 * redis.disconnect();
 */
export function createRedisRegistry(
  redis: RedisLike,
  options: RedisRegistryOptions = {},
): RedisRegistryClient {
  const prefix = options.prefix ?? "{rpyc:registry}";
  const ttlMs = options.ttlMs ?? DEFAULT_PRUNE_TIMEOUT_MS;
  if (!(Number.isInteger(ttlMs) && ttlMs > 0))
    throw new RangeError(`ttlMs must be a positive integer (got ${ttlMs})`);
  const limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
  const keys = {
    svc: (name: string) => `${prefix}:svc:${name}`,
    ep: (field: string) => `${prefix}:ep:${field}`,
    names: `${prefix}:names`,
    events: `${prefix}:events`,
  };
  // -1 tells the scripts to read Redis's TIME.
  const now = () => (options.now ? options.now() : -1);
  let host: Promise<string> | undefined;
  const ownHost = () => {
    host ??= options.host
      ? Promise.resolve(options.host)
      : redis.ping().then(() => normalizeHost(redis.stream?.localAddress ?? "127.0.0.1"));
    host.catch(() => (host = undefined)); // retry the lookup on the next call
    return host;
  };

  const timeoutMs = options.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
  /** Runs `work`, failing with RegistryUnreachableError after `timeoutMs`. */
  const bounded = <T>(subject: string, work: () => Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RegistryUnreachableError(
              subject,
              `${subject}: Redis did not answer within ${timeoutMs} ms (is it running and reachable?)`,
            ),
          ),
        timeoutMs,
      );
    });
    const result = work();
    result.catch(() => {}); // a late failure after the timeout is not an unhandled rejection
    return Promise.race([result, timeout]).finally(() => clearTimeout(timer));
  };
  const run = async (
    script: Script,
    keyList: string[],
    args: (string | number)[],
  ): Promise<unknown> => {
    try {
      return await redis.evalsha(script.sha, keyList.length, ...keyList, ...args);
    } catch (err) {
      // First use on this Redis (or after SCRIPT FLUSH): send the body once; Redis caches it.
      if (!String((err as Error)?.message).startsWith("NOSCRIPT")) throw redisFailed(err);
      try {
        return await redis.eval(script.body, keyList.length, ...keyList, ...args);
      } catch (err2) {
        throw redisFailed(err2);
      }
    }
  };

  return {
    async register(names, port) {
      const normalized = normalizeNames(names, limits);
      checkPort(port);
      await bounded(normalized.join(","), async () => {
        const field = JSON.stringify([await ownHost(), port]);
        const svcKeys = normalized.map(keys.svc);
        await run(
          REGISTER,
          [keys.ep(field), keys.names, ...svcKeys],
          [now(), ttlMs, field, keys.events, ...normalized],
        );
      });
    },
    async unregister(port) {
      checkPort(port);
      await bounded(`port ${port}`, async () => {
        const field = JSON.stringify([await ownHost(), port]);
        await run(
          UNREGISTER,
          [keys.ep(field), keys.names],
          [now(), field, keys.events, keys.svc("")],
        );
      });
    },
    async discover(name) {
      const normalized = normalizeName(name, limits);
      const flat = (await bounded(normalized, () =>
        run(QUERY, [keys.svc(normalized), keys.names], [now(), normalized, keys.events]),
      )) as unknown[];
      const clock = options.now?.() ?? Date.now();
      const endpoints: Endpoint[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const [h, p] = parseField(String(flat[i]));
        endpoints.push({ host: h, port: p, lastSeen: clock - Number(flat[i + 1]) });
      }
      return endpoints;
    },
    async listServices(filterHost) {
      // Fields are JSON [host, port]: match the '["host",' prefix.
      const filter =
        filterHost === undefined ? "" : `${JSON.stringify([filterHost]).slice(0, -1)},`;
      const names = await bounded("*", () =>
        run(LIST, [keys.names], [now(), keys.events, keys.svc(""), filter]),
      );
      return (names as unknown[]).map(String);
    },
    async watch(listener) {
      const subscriber = redis.duplicate();
      subscriber.on("message", (channel, message) => {
        if (channel !== keys.events) return;
        const change = parseEvent(message);
        if (change) listener(change);
      });
      try {
        await subscriber.subscribe(keys.events);
      } catch (err) {
        subscriber.disconnect();
        throw redisFailed(err);
      }
      return async () => {
        await subscriber.quit();
      };
    },
  };
}

interface Script {
  readonly body: string;
  readonly sha: string;
}
const script = (body: string): Script => ({
  body,
  sha: createHash("sha1").update(body).digest("hex"),
});
const REGISTER = script(REGISTER_SCRIPT);
const UNREGISTER = script(UNREGISTER_SCRIPT);
const QUERY = script(QUERY_SCRIPT);
const LIST = script(LIST_SCRIPT);

function parseField(field: string): [string, number] {
  const value: unknown = JSON.parse(field);
  if (!Array.isArray(value) || typeof value[0] !== "string" || !Number.isInteger(value[1])) {
    throw new RegistryError(
      "RPYC_ERR_REGISTRY_PROTOCOL",
      `unexpected endpoint ${field} in Redis (written by another program?)`,
    );
  }
  return [value[0], value[1] as number];
}

function parseEvent(message: string): (RegistryChange & { type: "added" | "removed" }) | undefined {
  try {
    const [type, name, field, reason] = JSON.parse(message) as unknown[];
    if (
      (type !== "added" && type !== "removed") ||
      typeof name !== "string" ||
      typeof field !== "string"
    )
      return undefined;
    const [host, port] = parseField(field);
    return reason === "unregistered" || reason === "pruned"
      ? { type, name, host, port, reason }
      : { type, name, host, port };
  } catch {
    return undefined; // not ours: ignore
  }
}

function redisFailed(err: unknown): RegistryError {
  return new RegistryError(
    "RPYC_ERR_REGISTRY_REDIS",
    `the Redis registry backend failed: ${(err as Error)?.message ?? String(err)} (is Redis reachable, and may this user run EVAL, EVALSHA and PUBLISH?)`,
    { cause: err },
  );
}
