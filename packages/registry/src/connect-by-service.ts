/**
 * `connectByService`: discover, then try each endpoint in turn until one accepts
 * (RPyC's `connect_by_service`).
 */
import type { Connection } from "@rpyc/core";
import { connect as tcpConnect, type ConnectOptions } from "@rpyc/transport-tcp";
import { DiscoveryError, type FailedAttempt } from "./errors.ts";
import type { RegistryClient } from "./registry-client.ts";
import { DEFAULT_REGISTRY_LIMITS } from "./limits.ts";
import { normalizeName } from "./registry-table.ts";

/**
 * Options of `connectByService`.
 *
 * @example
 * const options: ConnectByServiceOptions = { registry, connectOptions: { tls: { ca } } };
 */
export interface ConnectByServiceOptions<C = Connection> {
  /** Where to look the service up (UDP, TCP or Redis client). */
  readonly registry: RegistryClient;
  /**
   * Opens one connection. Default: `connect(host, port, connectOptions)` from
   * @rpyc/transport-tcp. Pass your own to connect another way (a custom socket, a wrapper).
   */
  readonly connect?: (host: string, port: number) => Promise<C>;
  /** Options for the default connector (local service, config, TLS, timeouts). */
  readonly connectOptions?: ConnectOptions;
  /**
   * Order in which endpoints are tried. "newest" (default) tries the most recently refreshed
   * registration first, as it is the most likely to be alive; "oldest" keeps the registry's
   * order (RPyC's); "random" spreads clients over servers.
   */
  readonly order?: "newest" | "oldest" | "random";
}

/**
 * Discovers `name` and connects to the first endpoint that accepts (RPyC's
 * `connect_by_service`). Rejects with `DiscoveryError` when nothing is registered under that
 * name, or when every endpoint failed (its message lists each endpoint and its error;
 * `err.attempts` holds them), and with `RegistryUnreachableError` (a `DiscoveryError` too)
 * when the registry does not answer.
 *
 * @example
 * const registry = createUdpRegistryClient({ host: "127.0.0.1" });
 * const conn = await connectByService("TIME", { registry });
 * console.log(await conn.root.getTime());
 * await conn.close();
 */
export function connectByService(
  name: string,
  options: ConnectByServiceOptions<Connection> & { connect?: undefined },
): Promise<Connection>;
export function connectByService<C>(
  name: string,
  options: ConnectByServiceOptions<C> & { connect: (host: string, port: number) => Promise<C> },
): Promise<C>;
export async function connectByService<C>(
  name: string,
  options: ConnectByServiceOptions<C>,
): Promise<C | Connection> {
  const service = normalizeName(name, DEFAULT_REGISTRY_LIMITS);
  const endpoints = await options.registry.discover(service);
  if (endpoints.length === 0) {
    throw new DiscoveryError(
      service,
      `no server is registered for service ${service} (is it running, and registering with this registry?)`,
    );
  }
  const open =
    options.connect ??
    ((host: string, port: number) => tcpConnect(host, port, options.connectOptions));
  const order = options.order ?? "newest";
  const ordered =
    order === "oldest"
      ? endpoints
      : order === "newest"
        ? [...endpoints].reverse()
        : shuffle([...endpoints]);
  const attempts: FailedAttempt[] = [];
  for (const { host, port } of ordered) {
    try {
      return await open(host, port);
    } catch (error) {
      attempts.push({ host, port, error });
    }
  }
  const tried = attempts.map((a) => `${a.host}:${a.port} (${describe(a.error)})`).join(", ");
  throw new DiscoveryError(
    service,
    `every server registered for service ${service} failed: ${tried}`,
    {
      attempts,
      cause: new AggregateError(
        attempts.map((a) => a.error),
        `all endpoints of ${service} failed`,
      ),
    },
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
